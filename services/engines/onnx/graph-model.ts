import * as tf from '@tensorflow/tfjs'
import { loadFromDirectory } from '../tfjs/model-files.js'
import type { ConstTensor, ConvertInput, TfNode } from './convert.js'

/** The model's outputs as TF.js's GraphModel picks them: the signature's, else the nodes nothing consumes. */
export function graphOutputs (nodes: TfNode[], signature?: { outputs?: Record<string, { name?: string }> }): string[] {
  const fromSignature = Object.values(signature?.outputs ?? {}).map(o => (o.name ?? '').replace(/:0$/, '')).filter(n => n !== '')
  if (fromSignature.length > 0) return fromSignature
  const consumed = new Set(nodes.flatMap(n => (n.input ?? []).map(i => i.replace(/^\^/, '').replace(/:\d+$/, ''))))
  return nodes.filter(n => !consumed.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp').map(n => n.name)
}

/** Reads a TF.js graph model directory: its nodes, its constants (dequantised) and its outputs. */
export async function readGraphModel (dir: string): Promise<ConvertInput> {
  const artifacts = await loadFromDirectory(dir).load?.()
  if (artifacts === undefined) throw new Error(`cannot read ${dir}`)
  return await graphModelInput(artifacts, dir)
}

/** A TF.js graph model's artifacts (from a directory or from memory) as the converter's input; `from` names it in errors. */
export async function graphModelInput (artifacts: tf.io.ModelArtifacts, from: string): Promise<ConvertInput> {
  const topology = artifacts.modelTopology as { node?: TfNode[] }
  if (artifacts.format === 'layers-model' || !Array.isArray(topology.node)) throw new Error(`${from} holds a layers model; the ONNX converter takes graph models`)
  const nodes = topology.node
  const weights = new Map<string, ConstTensor>()
  const decoded = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? [])
  for (const [name, tensor] of Object.entries(decoded)) {
    try {
      const data = await tensor.data()
      const dtype = tensor.dtype === 'int32' ? 'int32' : tensor.dtype === 'bool' ? 'bool' : 'float32'
      weights.set(name, { dtype, shape: tensor.shape.slice(), data: dtype === 'bool' ? Uint8Array.from(data as ArrayLike<number>) : data as Float32Array | Int32Array })
    } finally {
      tensor.dispose()
    }
  }
  return { nodes, weights, outputs: graphOutputs(nodes, artifacts.signature as { outputs?: Record<string, { name?: string }> } | undefined) }
}
