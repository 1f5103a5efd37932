import type * as Ort from 'onnxruntime-node'
import { convertGraph } from '../../services/engines/onnx/convert.js'
import { graphModelInput } from '../../services/engines/onnx/graph-model.js'
import { sessionOptions } from '../../services/engines/onnx/classifier.js'

/** A feature graph run by onnxruntime: [n,H,W,3] normalised pixels in, [n,dim] features out. */
export interface BatchExtractor {
  dim: number
  run: (batch: Float32Array, n: number, size: number) => Promise<Float32Array>
  dispose: () => Promise<void>
}

/** A TF.js graph model in memory: the cut COCO-SSD graph (buildCocoSsdGraph), or an nsfwjs backbone fused by fuseLayersModel. */
export interface FeatureGraph {
  modelJson: { modelTopology: object, weightsManifest: Array<{ weights: Array<{ name: string, shape: number[], dtype: string }> }>, signature: object }
  weightData: Uint8Array
}

/**
 * The feature graph converted by the service's own converter and run on onnxruntime's CPU engine: the same
 * arithmetic as the service's onnxruntime backend, several times faster than TF.js on wasm for the training set.
 */
export async function onnxExtractor (g: FeatureGraph, dim: number, threads = 2, what = 'the COCO-SSD feature graph'): Promise<BatchExtractor> {
  const converted = convertGraph(await graphModelInput({
    format: 'graph-model',
    modelTopology: g.modelJson.modelTopology,
    weightSpecs: g.modelJson.weightsManifest[0].weights as Array<{ name: string, shape: number[], dtype: 'float32' | 'int32' }>,
    weightData: g.weightData.slice().buffer,
    signature: g.modelJson.signature
  }, what))
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
