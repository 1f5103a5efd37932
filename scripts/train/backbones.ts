import { createRequire } from 'node:module'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { fuseLayersModel, type FusedModelArtifacts } from '../model/fuse.js'
import { buildCocoSsdGraph, headInput, readCocoSsd, COCO_SSD_NORMALIZATION, COCO_SSD_SUBDIR, FEATURE_DIM } from '../model/coco-ssd.js'
import { CACHE_DIR } from './common.js'
import { loadFromDirectory } from '../../services/engines/tfjs/model-files.js'

const require = createRequire(import.meta.url)

export type BackboneName = 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3' | 'coco_ssd'

export interface BackboneInfo {
  name: BackboneName
  /** Directory inside nsfwjs/dist/models. */
  dir: string
  shards: string[]
  size: number
  format: 'layers-model' | 'graph-model'
  /** Where its weights come from. */
  source: 'nsfwjs' | 'coco-ssd'
  /** Pooled feature dimension. */
  dim: number
}

export const BACKBONES: Record<BackboneName, BackboneInfo> = {
  mobilenet_v2: { name: 'mobilenet_v2', dir: 'mobilenet_v2', shards: ['group1-shard1of1'], size: 224, format: 'layers-model', source: 'nsfwjs', dim: 1280 },
  mobilenet_v2_mid: { name: 'mobilenet_v2_mid', dir: 'mobilenet_v2_mid', shards: ['group1-shard1of2', 'group1-shard2of2'], size: 224, format: 'graph-model', source: 'nsfwjs', dim: 1792 },
  inception_v3: { name: 'inception_v3', dir: 'inception_v3', shards: [1, 2, 3, 4, 5, 6].map(i => `group1-shard${i}of6`), size: 299, format: 'layers-model', source: 'nsfwjs', dim: 2048 },
  /** SSDLite MobileNetV2 (COCO): pooled Conv_1 features + best score per COCO class (scripts/model/coco-ssd.ts). */
  coco_ssd: { name: 'coco_ssd', dir: COCO_SSD_SUBDIR, shards: [], size: 300, format: 'graph-model', source: 'coco-ssd', dim: FEATURE_DIM }
}

/** The COCO-SSD package as the data step unpacks it (`npm pack`): COCO_SSD_DIR or data/cache/backbones/coco-ssd. */
export function cocoSsdDir (): string {
  return process.env.COCO_SSD_DIR ?? join(CACHE_DIR, 'backbones', 'coco-ssd', COCO_SSD_SUBDIR)
}

export function normalizationOf (name: BackboneName): { mean: [number, number, number], std: [number, number, number] } {
  return BACKBONES[name].source === 'coco-ssd' ? COCO_SSD_NORMALIZATION : NSFWJS_NORMALIZATION
}

export interface RawModel {
  modelJson: { format?: string, modelTopology: any, weightsManifest: Array<{ paths: string[], weights: tfTypes.io.WeightsManifestEntry[] }>, [k: string]: unknown }
  weightData: ArrayBuffer
}

/** Root directory of the installed nsfwjs package (its exports map hides dist/models from require). */
export function nsfwjsRoot (): string {
  let dir = dirname(require.resolve('nsfwjs'))
  while (dir !== dirname(dir)) {
    const pj = join(dir, 'package.json')
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'nsfwjs') return dir
    dir = dirname(dir)
  }
  throw new Error('nsfwjs package root not found')
}

/** Reads the nsfwjs model bundled as JS modules (model.json object + base64 shards) into plain artifacts. */
export function readNsfwjsModel (name: BackboneName): RawModel {
  const info = BACKBONES[name]
  const base = join(nsfwjsRoot(), 'dist', 'models', info.dir)
  const mod = require(`${base}/model.min.js`)
  const modelJson = structuredClone(mod.default ?? mod)
  const parts = info.shards.map(s => {
    const m = require(`${base}/${s}.min.js`)
    const b64: string = typeof m === 'string' ? m : (m.default ?? m)
    return Buffer.from(b64, 'base64')
  })
  const all = Buffer.concat(parts)
  return { modelJson, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) }
}

/** Node whose output is the pooled feature vector, per backbone. */
export const FEATURE_NODE: Record<BackboneName, string> = {
  mobilenet_v2: 'flatten_1',
  inception_v3: 'flatten_1',
  mobilenet_v2_mid: 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze',
  coco_ssd: 'food/features'
}

/** nsfwjs feeds its models pixels / 255 (0..1); serving does the same through the manifest's normalization. */
export const NSFWJS_NORMALIZATION = { mean: [0, 0, 0] as [number, number, number], std: [255, 255, 255] as [number, number, number] }

export interface FeatureExtractor {
  name: BackboneName
  size: number
  dim: number
  /** [n,H,W,3] normalised -> [n,dim] pooled features. */
  extract: (batch: tfTypes.Tensor4D) => tfTypes.Tensor2D
  dispose: () => void
}

export async function loadFeatureExtractor (tf: typeof tfTypes, name: BackboneName): Promise<FeatureExtractor> {
  const info = BACKBONES[name]
  if (info.source === 'coco-ssd') {
    const g = buildCocoSsdGraph(await readCocoSsd(cocoSsdDir()))
    const graph = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: g.modelJson.modelTopology as unknown as tfTypes.io.ModelJSON['modelTopology'],
      weightSpecs: g.modelJson.weightsManifest[0].weights as tfTypes.io.WeightsManifestEntry[],
      weightData: g.weightData.slice().buffer,
      format: 'graph-model'
    }))
    return { name, size: info.size, dim: info.dim, extract: (x) => graph.execute(x) as tfTypes.Tensor2D, dispose: () => graph.dispose() }
  }
  if (info.format === 'graph-model') {
    const raw = readNsfwjsModel(name)
    const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: raw.modelJson.modelTopology, weightSpecs: raw.modelJson.weightsManifest.flatMap(g => g.weights), weightData: raw.weightData, format: raw.modelJson.format as string | undefined }))
    const node = FEATURE_NODE[name]
    const probe = tf.tidy(() => model.execute(tf.zeros([1, info.size, info.size, 3]), node) as tfTypes.Tensor)
    const dim = probe.shape[probe.shape.length - 1] as number
    probe.dispose()
    return { name, size: info.size, dim, extract: (x) => model.execute(x, node) as tfTypes.Tensor2D, dispose: () => model.dispose() }
  }
  const { fused, dim } = await fusedFeatureGraph(tf, name)
  const graph = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: fused.modelJson.modelTopology as unknown as tfTypes.io.ModelJSON['modelTopology'],
    weightSpecs: fused.modelJson.weightsManifest[0].weights,
    weightData: fused.weightData.slice().buffer,
    format: 'graph-model'
  }))
  return { name, size: info.size, dim, extract: (x) => graph.execute(x) as tfTypes.Tensor2D, dispose: () => graph.dispose() }
}

/**
 * An nsfwjs layers model cut at its pooled features (FEATURE_NODE) and fused into a graph model (scripts/model/fuse.ts):
 * the same features as the layers model to float rounding, about twice as fast on wasm, and convertible to ONNX.
 */
export async function fusedFeatureGraph (tf: typeof tfTypes, name: BackboneName): Promise<{ fused: FusedModelArtifacts, dim: number }> {
  const info = BACKBONES[name]
  if (info.source !== 'nsfwjs' || info.format !== 'layers-model') throw new Error(`${name} is not an nsfwjs layers model`)
  const raw = readNsfwjsModel(name)
  const weightSpecs = raw.modelJson.weightsManifest.flatMap(g => g.weights)
  const full = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: raw.modelJson.modelTopology, weightSpecs, weightData: raw.weightData, format: raw.modelJson.format as string | undefined }))
  const out = full.getLayer(FEATURE_NODE[name]).output as tfTypes.SymbolicTensor
  const fused = fuseLayersModel(tf.model({ inputs: full.inputs, outputs: out }), 'features')
  full.dispose()
  return { fused, dim: out.shape[out.shape.length - 1] as number }
}

/**
 * The head's input (pooled map, class scores as log-odds: headInput) of real photos computed by the detector as published (model.json as shipped, its own preprocessing loop,
 * unfolded batch norms): the reference the cut graph is checked against. pixels: HWC uint8 at spec's size.
 */
export async function detectorFeatures (tf: typeof tfTypes, pixels: Uint8Array[], spec: { width: number, height: number }): Promise<Float32Array[]> {
  const model = await tf.loadGraphModel(loadFromDirectory(cocoSsdDir()))
  const out: Float32Array[] = []
  for (const p of pixels) {
    const x = tf.tensor4d(Int32Array.from(p), [1, spec.height, spec.width, 3], 'int32')
    const [map, scores] = await model.executeAsync(x, ['FeatureExtractor/MobilenetV2/Conv_1/Relu6', 'Postprocessor/convert_scores']) as tfTypes.Tensor[]
    const f = tf.tidy(() => tf.concat([map.mean([1, 2]), scores.max(1)], 1))
    out.push(headInput(await f.data() as Float32Array))
    tf.dispose([x, map, scores, f])
  }
  model.dispose()
  return out
}
