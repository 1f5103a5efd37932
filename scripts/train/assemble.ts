import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, basename } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { computeModelDigest, parseManifest, type ModelManifest } from '../../services/models/manifest.js'
import { FEATURE_NODE, readNsfwjsModel, BACKBONES, type BackboneName, type RawModel } from './backbones.js'
import { headAsDense, type Head } from './head.js'
import { fuseLayersModel } from '../model/fuse.js'

type WeightSpec = tfTypes.io.WeightsManifestEntry

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 }

/** Bytes one manifest entry occupies in the weight data (quantised entries use their quantised dtype). */
export function entryBytes (spec: WeightSpec): number {
  const n = spec.shape.reduce((a, b) => a * b, 1)
  const dtype = spec.quantization?.dtype ?? spec.dtype
  const per = BYTES[dtype]
  if (per === undefined) throw new Error(`unsupported weight dtype ${dtype} (${spec.name})`)
  return n * per
}

export interface NewWeight { name: string, shape: number[], data: Float32Array }

/**
 * Keeps the backbone's weights byte for byte (they are already uint8-quantised in nsfwjs, so no second
 * quantisation loss), drops `drop`, replaces or appends `add` (as float32: the head is tiny).
 */
export function rebuildWeights (raw: RawModel, drop: (name: string) => boolean, add: NewWeight[]): { specs: WeightSpec[], data: Buffer } {
  const specs: WeightSpec[] = []
  const parts: Buffer[] = []
  const src = Buffer.from(raw.weightData)
  const replaced = new Map(add.map(w => [w.name, w]))
  let offset = 0
  for (const spec of raw.modelJson.weightsManifest.flatMap(g => g.weights)) {
    const size = entryBytes(spec)
    const bytes = src.subarray(offset, offset + size)
    offset += size
    const rep = replaced.get(spec.name)
    if (rep !== undefined) {
      specs.push({ name: rep.name, shape: rep.shape, dtype: 'float32' })
      parts.push(Buffer.from(rep.data.buffer, rep.data.byteOffset, rep.data.byteLength))
      replaced.delete(spec.name)
    } else if (!drop(spec.name)) {
      specs.push(spec)
      parts.push(bytes)
    }
  }
  if (offset !== src.byteLength) throw new Error(`weight data is ${src.byteLength} bytes, manifest describes ${offset}`)
  for (const rep of replaced.values()) {
    specs.push({ name: rep.name, shape: rep.shape, dtype: 'float32' })
    parts.push(Buffer.from(rep.data.buffer, rep.data.byteOffset, rep.data.byteLength))
  }
  return { specs, data: Buffer.concat(parts) }
}

/** The mid graph model's own dense layer (1792 -> 5, fused MatMul+BiasAdd, then Softmax): its weights are swapped for the head. */
export const MID_HEAD_KERNEL = 'Func/StatefulPartitionedCall/input/_262'
export const MID_HEAD_BIAS = 'Func/StatefulPartitionedCall/input/_263'
export const HEAD_LAYER = 'food_head'

export interface ModelFiles { modelJson: Record<string, unknown>, weights: Buffer }

/** One self-contained model (backbone + head + softmax) from normalised NHWC pixels to [food, not_food] probabilities. */
export function assembleModel (backbone: BackboneName, head: Head, raw: RawModel = readNsfwjsModel(backbone)): ModelFiles {
  const { kernel, bias } = headAsDense(head)
  const dim = head.w.length
  const weightsFile = 'group1-shard1of1.bin'
  if (BACKBONES[backbone].format === 'graph-model') {
    const topo = structuredClone(raw.modelJson.modelTopology)
    const nodes = topo.node as Array<{ name: string, op: string, input?: string[] }>
    const fused = nodes.find(n => n.op === '_FusedMatMul' && n.input?.[0] === FEATURE_NODE[backbone])
    if (fused === undefined || fused.input?.[1] !== MID_HEAD_KERNEL || fused.input?.[2] !== MID_HEAD_BIAS) throw new Error('unexpected graph: dense layer after the feature vector not found')
    const { specs, data } = rebuildWeights(raw, () => false, [
      { name: MID_HEAD_KERNEL, shape: [dim, 2], data: kernel },
      { name: MID_HEAD_BIAS, shape: [2], data: bias }
    ])
    const meta = structuredClone(raw.modelJson.userDefinedMetadata ?? {}) as { signature?: { outputs?: Record<string, { tensorShape?: { dim?: Array<{ size: string }> } }> } }
    for (const out of Object.values(meta.signature?.outputs ?? {})) if (out.tensorShape?.dim?.length === 2) out.tensorShape.dim[1].size = '2'
    return {
      modelJson: {
        format: 'graph-model',
        generatedBy: raw.modelJson.generatedBy,
        convertedBy: `${String(raw.modelJson.convertedBy ?? '')} + food head (scripts/train/assemble.ts)`,
        modelTopology: topo,
        userDefinedMetadata: meta,
        weightsManifest: [{ paths: [weightsFile], weights: specs }]
      },
      weights: data
    }
  }
  // layers model: keep layers up to the pooled features, then one softmax Dense layer
  const topo = structuredClone(raw.modelJson.modelTopology)
  const config = topo.model_config.config as { layers: Array<{ name: string, class_name: string, config: Record<string, unknown>, inbound_nodes: unknown[] }>, output_layers: unknown }
  const cut = config.layers.findIndex(l => l.name === FEATURE_NODE[backbone])
  if (cut < 0) throw new Error('feature layer not found')
  const dropped = new Set(config.layers.slice(cut + 1).map(l => l.name))
  config.layers = config.layers.slice(0, cut + 1)
  config.layers.push({
    name: HEAD_LAYER,
    class_name: 'Dense',
    config: {
      name: HEAD_LAYER, trainable: false, units: 2, activation: 'softmax', use_bias: true,
      kernel_initializer: { class_name: 'Zeros', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null
    },
    inbound_nodes: [[[FEATURE_NODE[backbone], 0, 0, {}]]]
  })
  config.output_layers = [[HEAD_LAYER, 0, 0]]
  delete topo.training_config
  const { specs, data } = rebuildWeights(raw, name => dropped.has(name.split('/')[0]), [
    { name: `${HEAD_LAYER}/kernel`, shape: [dim, 2], data: kernel },
    { name: `${HEAD_LAYER}/bias`, shape: [2], data: bias }
  ])
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'keras (nsfwjs backbone) + food head (scripts/train/assemble.ts)',
      convertedBy: null,
      modelTopology: topo,
      weightsManifest: [{ paths: [weightsFile], weights: specs }]
    },
    weights: data
  }
}

/** Loads assembled layers-model files into memory (no disk), e.g. to fuse them or to check the fused graph against them. */
export async function loadLayersFiles (tf: typeof tfTypes, files: ModelFiles): Promise<tfTypes.LayersModel> {
  const json = files.modelJson as { modelTopology: object, weightsManifest: Array<{ weights: WeightSpec[] }> }
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap(g => g.weights),
    weightData: files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength) as ArrayBuffer
  }))
}

export interface FusedAssembly {
  /** The graph model that is shipped: float32 weights, batch norm folded, activations fused. */
  fused: ModelFiles
  /** The same network as a layers model (backbone layers + the head as a softmax Dense layer), kept for checks. */
  layers: tfTypes.LayersModel
  opCounts: Record<string, number>
}

/** Backbone (a layers model) + head as one layers model, then fused into a graph model by scripts/model/fuse.ts. */
export async function assembleFusedModel (tf: typeof tfTypes, backbone: BackboneName, head: Head): Promise<FusedAssembly> {
  if (BACKBONES[backbone].format !== 'layers-model') throw new Error(`${backbone} is already a graph model: fusion needs a layers model`)
  const layers = await loadLayersFiles(tf, assembleModel(backbone, head))
  const { modelJson, weightData, stats } = fuseLayersModel(layers)
  const sorted = Object.fromEntries(Object.entries(stats).sort(([a], [b]) => a.localeCompare(b)))
  return {
    fused: {
      modelJson: { ...modelJson, convertedBy: `${modelJson.convertedBy} (nsfwjs@4.4.0 ${backbone} + food head)` },
      weights: Buffer.from(weightData.buffer, weightData.byteOffset, weightData.byteLength)
    },
    layers,
    opCounts: sorted
  }
}

/**
 * Writes model.json, weights, manifest.json (with the sha256 of the final files) and any extra files into
 * a temporary sibling directory, then swaps it in, so `dir` is never seen half-written.
 */
export async function writeModelDir (dir: string, files: ModelFiles, manifest: Omit<ModelManifest, 'sha256'>, extra: Record<string, string> = {}, binary: Record<string, Buffer> = {}): Promise<ModelManifest> {
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`)
  const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`)
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp, { recursive: true })
  const paths = (files.modelJson.weightsManifest as Array<{ paths: string[] }>)[0].paths
  await writeFile(join(tmp, 'model.json'), JSON.stringify(files.modelJson))
  await writeFile(join(tmp, paths[0]), files.weights)
  const sha256 = await computeModelDigest(tmp)
  const full = parseManifest({ ...manifest, sha256 })
  await writeFile(join(tmp, 'manifest.json'), JSON.stringify(full, null, 2) + '\n')
  for (const [name, text] of Object.entries(extra)) await writeFile(join(tmp, name), text)
  for (const [name, bytes] of Object.entries(binary)) await writeFile(join(tmp, name), bytes)
  await mkdir(dirname(dir), { recursive: true })
  let hadOld = false
  try { await rename(dir, old); hadOld = true } catch { /* no previous model */ }
  await rename(tmp, dir)
  if (hadOld) await rm(old, { recursive: true, force: true })
  return full
}
