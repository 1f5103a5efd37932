import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import type { BatchRunner, TensorMemory } from './batch-queue.js'
import type { Pixels } from './pixels.js'
import { ImageClassifier } from './classifier.js'
import type { OnnxClassifier } from './onnx/classifier.js'
import type { WorkerInit, WorkerRequest, WorkerResponse } from './inference-worker.js'

/**
 * Runs batches on the calling (main) thread: for tfjs-node, which parallelises inside, and the naive mode. An
 * onnxruntime session here blocks the event loop while it runs (its binding is synchronous); that is for
 * measurements only, the service runs it on workers.
 */
export class InProcessRunner implements BatchRunner {
  readonly id = 'main'
  constructor (private readonly classifier: ImageClassifier | OnnxClassifier) {}

  run (inputs: Pixels[]): Promise<Float32Array[]> {
    return this.classifier.predictBatch(inputs)
  }

  async memory (): Promise<TensorMemory> {
    if (!(this.classifier instanceof ImageClassifier)) return { numTensors: 0, numBytes: 0 }
    const { numTensors, numBytes } = tf.memory()
    return { numTensors, numBytes }
  }

  async close (): Promise<void> {
    await this.classifier.dispose()
  }
}

// The build runs dist/services/inference-worker.js. Run from sources (tsx: tests, npm run dev), a worker thread
// does not inherit tsx's loader under Node 20, so it registers it before importing the TypeScript file.
const fromSources = import.meta.url.endsWith('.ts')
const workerUrl = new URL(`./inference-worker${fromSources ? '.ts' : '.js'}`, import.meta.url)

function newWorker (workerData: WorkerInit): Worker {
  if (!fromSources) return new Worker(workerUrl, { workerData })
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then(m => { m.register(); return import(${JSON.stringify(workerUrl.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

interface Call { resolve: (value: never) => void, reject: (err: Error) => void, count: number }

/** Runs batches on a worker thread with its own model; a worker that dies is replaced, its batch failed over. */
export class WorkerRunner implements BatchRunner {
  private worker!: Worker
  private ready!: Promise<number>
  private readonly calls = new Map<number, Call>()
  private nextId = 0
  private closing = false
  restarts = 0

  private constructor (readonly id: string, private readonly init: WorkerInit, private readonly labels: number) {
    this.spawn()
  }

  /** Starts a worker and waits until its model is loaded and warmed up; returns it with the warm-up time. */
  static async start (id: string, init: WorkerInit, labels: number): Promise<{ runner: WorkerRunner, warmUpMs: number }> {
    const runner = new WorkerRunner(id, init, labels)
    return { runner, warmUpMs: await runner.ready }
  }

  private spawn (): void {
    const worker = newWorker(this.init)
    this.worker = worker
    this.ready = new Promise<number>((resolve, reject) => {
      worker.on('message', (message: WorkerResponse) => {
        if (message.type === 'ready') resolve(message.warmUpMs)
        else if (message.type === 'fatal') reject(new Error(`inference worker ${this.id} failed to start: ${message.message}`))
        else this.settle(message)
      })
      worker.once('error', reject)
      worker.once('exit', code => {
        reject(new Error(`inference worker ${this.id} exited with code ${code} before it was ready`))
        this.onExit(worker, code)
      })
    })
    this.ready.catch(() => {})
  }

  private settle (message: Extract<WorkerResponse, { type: 'result' | 'error' | 'memory' }>): void {
    const call = this.calls.get(message.id)
    if (call === undefined) return
    this.calls.delete(message.id)
    if (message.type === 'error') { call.reject(new Error(message.message)); return }
    const resolve = call.resolve as (value: unknown) => void
    if (message.type === 'memory') { resolve({ numTensors: message.numTensors, numBytes: message.numBytes }); return }
    const width = this.labels
    resolve(Array.from({ length: call.count }, (_, i) => message.output.subarray(i * width, (i + 1) * width)))
  }

  private onExit (worker: Worker, code: number): void {
    if (worker !== this.worker) return
    for (const call of this.calls.values()) call.reject(new Error(`inference worker ${this.id} exited with code ${code}`))
    this.calls.clear()
    if (!this.closing) {
      this.restarts++
      this.spawn()
    }
  }

  async run (inputs: Pixels[]): Promise<Float32Array[]> {
    await this.ready
    const size = inputs[0].length
    const batch = new Uint8Array(size * inputs.length)
    inputs.forEach((input, i) => batch.set(input, i * size))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: never) => void, reject, count: inputs.length })
      this.worker.postMessage({ type: 'run', id, batch, count: inputs.length } satisfies WorkerRequest, [batch.buffer])
    })
  }

  async memory (): Promise<TensorMemory> {
    await this.ready
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: never) => void, reject, count: 0 })
      this.worker.postMessage({ type: 'memory', id } satisfies WorkerRequest)
    })
  }

  /** For tests and operators: kill the thread as a crash would. */
  crash (): Promise<number> {
    return this.worker.terminate()
  }

  async close (): Promise<void> {
    this.closing = true
    await this.worker.terminate()
  }
}
