/**
 * A worker thread holding its own copy of the model on the chosen backend (a TF.js backend, or an onnxruntime
 * session on the checked ONNX conversion). The main thread sends it batches of 8-bit pixels (transferred, not
 * copied), which the worker normalises, and receives the probabilities.
 */
import { parentPort, workerData } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import { onOnnxRuntime, selectBackend, type BackendName } from './backend.js'
import { TfjsClassifier } from './tfjs/classifier.js'
import { ModelDescription, ModelSnapshot, type ModelDescriptionData, type ModelSnapshotData } from '../models/description.js'
import { OnnxClassifier, type OnnxModelFile, type OrtSessionSettings } from './onnx/classifier.js'

/**
 * Everything a worker loads, read once by the main thread when the version loaded (services/models/served-model.ts): the
 * worker reads nothing from disk, so one that restarts later serves the same graph, input size and normalisation.
 * `tfjs`: model.json and the weights, for a TF.js backend; `onnx.file.bytes`: the checked graph, for onnxruntime.
 */
export interface WorkerInit {
  description: ModelDescriptionData
  backend: BackendName
  tfjs?: Omit<ModelSnapshotData, 'description'>
  onnx?: { file: OnnxModelFile, session: OrtSessionSettings }
  /** Test hook (WorkerRunner.crash): this start fails, as a worker that cannot load its model would. */
  failStart?: string
}
export type WorkerRequest = { type: 'run', id: number, batch: Uint8Array, count: number } | { type: 'memory', id: number }
export type WorkerResponse =
  | { type: 'ready', warmUpMs: number, itemMs: number }
  /** startMs, endMs: the batch's run in this thread, as epoch milliseconds (the main thread's spans are on that clock). */
  | { type: 'result', id: number, output: Float32Array, startMs: number, endMs: number }
  | { type: 'error', id: number, message: string }
  | { type: 'memory', id: number, numTensors: number, numBytes: number }
  | { type: 'fatal', message: string }

const port = parentPort
if (port === null) throw new Error('the inference worker must run in a worker thread')
const init = workerData as WorkerInit

try {
  if (init.failStart !== undefined) throw new Error(init.failStart)
  let classifier: TfjsClassifier | OnnxClassifier
  if (onOnnxRuntime(init.backend)) {
    if (init.onnx?.file.bytes === undefined) throw new Error(`${init.backend} worker started without its ONNX model`)
    classifier = await OnnxClassifier.load(ModelDescription.from(init.description), init.onnx.file, init.onnx.session)
  } else {
    if (init.tfjs === undefined) throw new Error(`${init.backend} worker started without its model`)
    await selectBackend(init.backend)
    classifier = await TfjsClassifier.load(ModelSnapshot.from({ description: init.description, ...init.tfjs }))
  }
  const onTfjs = classifier instanceof TfjsClassifier
  const started = performance.now()
  await classifier.warmUp()
  const warmUpMs = performance.now() - started
  // The first run pays for compilation and allocation once; the second is what an image costs from now on, the
  // batch queue's first latency estimate (an estimate from the first would refuse a burst for its deadline).
  const second = performance.now()
  await classifier.warmUp()
  const itemMs = performance.now() - second
  const [h, w] = classifier.inputShape
  const size = h * w * 3
  port.on('message', (message: WorkerRequest) => {
    if (message.type === 'memory') {
      const { numTensors, numBytes } = onTfjs ? tf.memory() : { numTensors: 0, numBytes: 0 }
      port.postMessage({ type: 'memory', id: message.id, numTensors, numBytes } satisfies WorkerResponse)
      return
    }
    const items = Array.from({ length: message.count }, (_, i) => message.batch.subarray(i * size, (i + 1) * size))
    const startMs = performance.timeOrigin + performance.now()
    classifier.predictBatch(items).then(rows => {
      const endMs = performance.timeOrigin + performance.now()
      const output = new Float32Array(rows.reduce((n, r) => n + r.length, 0))
      let offset = 0
      for (const row of rows) { output.set(row, offset); offset += row.length }
      port.postMessage({ type: 'result', id: message.id, output, startMs, endMs } satisfies WorkerResponse, [output.buffer])
    }, (err: Error) => {
      port.postMessage({ type: 'error', id: message.id, message: err.message } satisfies WorkerResponse)
    })
  })
  port.postMessage({ type: 'ready', warmUpMs, itemMs } satisfies WorkerResponse)
} catch (err) {
  port.postMessage({ type: 'fatal', message: (err as Error).message } satisfies WorkerResponse)
}
