import { createRequire } from 'node:module'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { fuseLayersModel } from '../model/fuse.js'

const require = createRequire(import.meta.url)

export type BackboneName = 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3'

export interface BackboneInfo {
  name: BackboneName
  /** Directory inside nsfwjs/dist/models. */
  dir: string
  shards: string[]
  size: number
  format: 'layers-model' | 'graph-model'
}

export const BACKBONES: Record<BackboneName, BackboneInfo> = {
  mobilenet_v2: { name: 'mobilenet_v2', dir: 'mobilenet_v2', shards: ['group1-shard1of1'], size: 224, format: 'layers-model' },
  mobilenet_v2_mid: { name: 'mobilenet_v2_mid', dir: 'mobilenet_v2_mid', shards: ['group1-shard1of2', 'group1-shard2of2'], size: 224, format: 'graph-model' },
  inception_v3: { name: 'inception_v3', dir: 'inception_v3', shards: [1, 2, 3, 4, 5, 6].map(i => `group1-shard${i}of6`), size: 299, format: 'layers-model' }
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
  mobilenet_v2_mid: 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze'
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
  const raw = readNsfwjsModel(name)
  const weightSpecs = raw.modelJson.weightsManifest.flatMap(g => g.weights)
  const handler = tf.io.fromMemory({ modelTopology: raw.modelJson.modelTopology, weightSpecs, weightData: raw.weightData, format: raw.modelJson.format as string | undefined })
  if (info.format === 'graph-model') {
    const model = await tf.loadGraphModel(handler)
    const node = FEATURE_NODE[name]
    const probe = tf.tidy(() => model.execute(tf.zeros([1, info.size, info.size, 3]), node) as tfTypes.Tensor)
    const dim = probe.shape[probe.shape.length - 1] as number
    probe.dispose()
    return { name, size: info.size, dim, extract: (x) => model.execute(x, node) as tfTypes.Tensor2D, dispose: () => model.dispose() }
  }
  const full = await tf.loadLayersModel(handler)
  const out = full.getLayer(FEATURE_NODE[name]).output as tfTypes.SymbolicTensor
  const model = tf.model({ inputs: full.inputs, outputs: out })
  const dim = out.shape[out.shape.length - 1] as number
  // The fused graph computes the same features (to float rounding) about twice as fast on wasm.
  const fused = fuseLayersModel(model, 'features')
  const graph = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: fused.modelJson.modelTopology as unknown as tfTypes.io.ModelJSON['modelTopology'],
    weightSpecs: fused.modelJson.weightsManifest[0].weights,
    weightData: fused.weightData.slice().buffer,
    format: 'graph-model'
  }))
  full.dispose()
  return { name, size: info.size, dim, extract: (x) => graph.execute(x) as tfTypes.Tensor2D, dispose: () => graph.dispose() }
}
