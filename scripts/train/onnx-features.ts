import type * as Ort from 'onnxruntime-node'
import { convertGraph, type ConstTensor, type ConvertInput, type TfNode } from '../../services/onnx/convert.js'
import { sessionOptions } from '../../services/onnx/classifier.js'
import type { GraphArtifacts } from '../model/coco-ssd.js'

/** A feature graph run by onnxruntime: [n,H,W,3] normalised pixels in, [n,dim] features out. */
export interface BatchExtractor {
  dim: number
  run: (batch: Float32Array, n: number, size: number) => Promise<Float32Array>
  dispose: () => Promise<void>
}

/** A graph built in memory (scripts/model/coco-ssd.ts) as the ONNX converter's input. */
export function convertInputOf (g: GraphArtifacts): ConvertInput {
  const weights = new Map<string, ConstTensor>()
  let offset = 0
  const data = g.weightData
  for (const spec of g.modelJson.weightsManifest[0].weights) {
    const count = spec.shape.reduce((a, b) => a * b, 1)
    const bytes = data.slice(offset, offset + count * 4)
    offset += count * 4
    const values = spec.dtype === 'int32' ? new Int32Array(bytes.buffer, bytes.byteOffset, count) : new Float32Array(bytes.buffer, bytes.byteOffset, count)
    weights.set(spec.name, { dtype: spec.dtype === 'int32' ? 'int32' : 'float32', shape: spec.shape, data: values })
  }
  return { nodes: g.modelJson.modelTopology.node as TfNode[], weights, outputs: [g.output] }
}

/**
 * The feature graph converted by the service's own converter and run on onnxruntime's CPU engine: the same
 * arithmetic as the service's onnxruntime backend, several times faster than TF.js on wasm for the training set.
 */
export async function onnxExtractor (g: GraphArtifacts, dim: number, threads = 2): Promise<BatchExtractor> {
  const converted = convertGraph(convertInputOf(g))
  const ort: typeof Ort = await import('onnxruntime-node')
  const session = await ort.InferenceSession.create(converted.bytes, sessionOptions({ intraOpThreads: threads, spinning: false }))
  return {
    dim,
    run: async (batch, n, size) => {
      const out = await session.run({ [converted.inputName]: new ort.Tensor('float32', batch, [n, size, size, 3]) })
      return out[converted.outputNames[0]].data as Float32Array
    },
    dispose: async () => { await session.release() }
  }
}
