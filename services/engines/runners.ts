import { Worker } from 'node:worker_threads'
import * as tf from '@tensorflow/tfjs'
import type { BatchRunner, RunnerOutput, TensorMemory } from './batch-queue.js'
import { OverloadedError } from '../common/errors.js'
import type { Pixels } from '../image/pixels.js'
import { TfjsClassifier } from './tfjs/classifier.js'
import type { OnnxClassifier } from './onnx/classifier.js'
import type { WorkerInit, WorkerRequest, WorkerResponse } from './worker.js'

/**
 * Runs batches on the calling (main) thread: for tfjs-node, which parallelises inside, and the naive mode. An
 * onnxruntime session here blocks the event loop while it runs (its binding is synchronous); that is for
 * measurements only, the service runs it on workers.
 */
export class InProcessRunner implements BatchRunner {
  readonly id = 'main'
  readonly available = true
  constructor (private readonly classifier: TfjsClassifier | OnnxClassifier) {}

  async run (inputs: Pixels[]): Promise<RunnerOutput> {
    const startMs = performance.timeOrigin + performance.now()
    const outputs = await this.classifier.predictBatch(inputs)
    return { outputs, ran: { startMs, endMs: performance.timeOrigin + performance.now(), thread: { name: this.id } } }
  }

  async memory (): Promise<TensorMemory> {
    if (!(this.classifier instanceof TfjsClassifier)) return { numTensors: 0, numBytes: 0 }
    const { numTensors, numBytes } = tf.memory()
    return { numTensors, numBytes }
  }

  async close (): Promise<void> {
    await this.classifier.dispose()
  }
}

// The build runs dist/services/engines/worker.js. Run from sources (tsx: tests, npm run dev), a worker thread
// does not inherit tsx's loader under Node 20, so it registers it before importing the TypeScript file.
const fromSources = import.meta.url.endsWith('.ts')
const workerUrl = new URL(`./worker${fromSources ? '.ts' : '.js'}`, import.meta.url)

function newWorker (workerData: WorkerInit): Worker {
  if (!fromSources) return new Worker(workerUrl, { workerData })
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then(m => { m.register(); return import(${JSON.stringify(workerUrl.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData })
}

interface Call { resolve: (value: never) => void, reject: (err: Error) => void, count: number }

/** What happens to a worker, for the log and metrics: it died, it was started again, a start failed, it is back. */
export type WorkerEvent =
  | { type: 'died', worker: string, reason: string }
  | { type: 'restarted', worker: string }
  | { type: 'start-failed', worker: string, reason: string, retryInMs: number }
  | { type: 'recovered', worker: string, downMs: number }

/** First wait after a failed start, doubled after each one that fails again, up to the cap. */
const BACKOFF_MS = 1000
const BACKOFF_CAP_MS = 30_000

/** The wait before a restart, after this many failed starts in a row: none after the first, then 1 s doubling to 30 s. */
const backoffMs = (failures: number): number => failures <= 1 ? 0 : Math.min(BACKOFF_CAP_MS, BACKOFF_MS * 2 ** (failures - 2))

/**
 * Runs batches on a worker thread with its own model; a worker that dies is replaced, its batch failed over. A
 * replacement that fails to start is tried again at once, then, failing again, after a backoff (1 s, doubling to
 * 30 s: a failed start costs about a second of CPU) and, meanwhile, the runner is unavailable: it takes no batch, and a model whose every runner is
 * unavailable is not ready and answers 503 MODEL_UNAVAILABLE (services/engines/batch-queue.ts).
 */
export class WorkerRunner implements BatchRunner {
  private worker!: Worker
  private ready!: Promise<number>
  /** What one image cost the worker's second warm-up run (the first pays for compilation). */
  itemMs = NaN
  private readonly calls = new Map<number, Call>()
  private nextId = 0
  private closing = false
  private retryTimer: NodeJS.Timeout | undefined
  /** Consecutive failed starts. */
  private failures = 0
  private downSince = 0
  private started = false
  private failNextStarts = 0
  /** Workers whose start failed: their exit is not a death. */
  private readonly failedStarts = new WeakSet<Worker>()
  /** Why the runner cannot take work now (undefined while its worker runs). */
  unavailableReason: string | undefined
  restarts = 0
  deaths = 0

  private constructor (readonly id: string, private readonly init: WorkerInit, private readonly labels: number, private readonly onEvent: (event: WorkerEvent) => void) {
    this.spawn()
  }

  /** Starts a worker and waits until its model is loaded and warmed up; returns it with the warm-up time. */
  static async start (id: string, init: WorkerInit, labels: number, onEvent: (event: WorkerEvent) => void = () => {}): Promise<{ runner: WorkerRunner, warmUpMs: number }> {
    const runner = new WorkerRunner(id, init, labels, onEvent)
    try {
      return { runner, warmUpMs: await runner.ready }
    } catch (err) {
      await runner.close()
      throw err
    }
  }

  get available (): boolean { return this.unavailableReason === undefined }

  private spawn (): void {
    const failStart = this.failNextStarts > 0 ? `injected start failure (WorkerRunner.crash, ${this.failNextStarts} left)` : undefined
    if (this.failNextStarts > 0) this.failNextStarts--
    const worker = newWorker(failStart === undefined ? this.init : { ...this.init, failStart })
    this.worker = worker
    let settled = false
    this.ready = new Promise<number>((resolve, reject) => {
      worker.on('message', (message: WorkerResponse) => {
        if (message.type === 'ready') { settled = true; this.itemMs = message.itemMs; this.onReady(); resolve(message.warmUpMs) } else if (message.type === 'fatal') {
          settled = true
          const err = new Error(`inference worker ${this.id} failed to start: ${message.message}`)
          reject(err)
          this.onStartFailed(worker, err.message)
        } else this.settle(message)
      })
      worker.once('error', err => {
        if (settled) return
        settled = true
        reject(err)
        this.onStartFailed(worker, `inference worker ${this.id} failed to start: ${err.message}`)
      })
      worker.once('exit', code => {
        if (!settled) {
          settled = true
          const err = new Error(`inference worker ${this.id} exited with code ${code} before it was ready`)
          reject(err)
          this.onStartFailed(worker, err.message)
        } else this.onExit(worker, code)
      })
    })
    this.ready.catch(() => {})
  }

  private onReady (): void {
    if (this.started && this.unavailableReason !== undefined) this.onEvent({ type: 'recovered', worker: this.id, downMs: Math.round(performance.now() - this.downSince) })
    this.started = true
    this.failures = 0
    this.unavailableReason = undefined
  }

  /** A start that failed: the first start's caller sees it (the load fails); a restart is tried again later. */
  private onStartFailed (worker: Worker, reason: string): void {
    if (worker !== this.worker) return
    this.failedStarts.add(worker)
    void worker.terminate()
    if (!this.started || this.closing) return
    this.failures++
    // The first failure is tried again at once (a worker killed while starting, say); from the second on, the
    // runner takes no work and each try waits twice as long as the one before, so a cause that stays costs little.
    const retryInMs = backoffMs(this.failures)
    if (this.failures > 1) {
      if (this.unavailableReason === undefined) this.downSince = performance.now()
      this.unavailableReason = reason
    }
    this.onEvent({ type: 'start-failed', worker: this.id, reason, retryInMs })
    const retry = (): void => {
      this.retryTimer = undefined
      if (this.closing) return
      this.restarts++
      this.onEvent({ type: 'restarted', worker: this.id })
      this.spawn()
    }
    // At once means now: calls waiting for the worker wait for this one instead of failing.
    if (retryInMs === 0) { retry(); return }
    this.retryTimer = setTimeout(retry, retryInMs)
    this.retryTimer.unref()
  }

  private settle (message: Extract<WorkerResponse, { type: 'result' | 'error' | 'memory' }>): void {
    const call = this.calls.get(message.id)
    if (call === undefined) return
    this.calls.delete(message.id)
    if (message.type === 'error') { call.reject(new Error(message.message)); return }
    const resolve = call.resolve as (value: unknown) => void
    if (message.type === 'memory') { resolve({ numTensors: message.numTensors, numBytes: message.numBytes }); return }
    const width = this.labels
    const outputs = Array.from({ length: call.count }, (_, i) => message.output.subarray(i * width, (i + 1) * width))
    resolve({ outputs, ran: { startMs: message.startMs, endMs: message.endMs, thread: { name: this.id, id: this.worker.threadId } } } satisfies RunnerOutput)
  }

  /** A worker that was serving died: its calls fail (the queue retries them), and it is started again at once. */
  private onExit (worker: Worker, code: number): void {
    if (worker !== this.worker || this.closing || this.failedStarts.has(worker)) return
    const reason = `exited with code ${code}`
    this.deaths++
    for (const call of this.calls.values()) call.reject(new OverloadedError('WORKER_FAILED', `The inference worker running this request died (${reason}); retry in 1 s.`, 1))
    this.calls.clear()
    this.onEvent({ type: 'died', worker: this.id, reason })
    this.restarts++
    this.onEvent({ type: 'restarted', worker: this.id })
    this.spawn()
  }

  private unavailable (): OverloadedError {
    return new OverloadedError('MODEL_UNAVAILABLE', `The model's inference worker cannot start (${this.unavailableReason ?? 'starting'}); it is retried automatically.`, Math.max(1, Math.ceil(backoffMs(Math.max(2, this.failures)) / 1000)))
  }

  /** Waits for a running worker: through a restart under way, not through one that waits out its backoff. */
  private async whenReady (): Promise<void> {
    for (;;) {
      if (this.unavailableReason !== undefined || this.closing) throw this.unavailable()
      const ready = this.ready
      try {
        await ready
        return
      } catch {
        if (this.ready === ready) throw this.unavailable()
      }
    }
  }

  async run (inputs: Pixels[]): Promise<RunnerOutput> {
    await this.whenReady()
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
    // Metrics must answer while a worker is down: it holds no tensors then.
    if (!await this.whenReady().then(() => true, () => false)) return { numTensors: 0, numBytes: 0 }
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: never) => void, reject, count: 0 })
      this.worker.postMessage({ type: 'memory', id } satisfies WorkerRequest)
    })
  }

  /**
   * Test and fault-injection hook: kills the thread as a crash would. `failStarts`: that many of the restarts that
   * follow fail, as a worker that cannot load its model would. Never called by the service itself.
   */
  crash (options: { failStarts?: number } = {}): Promise<number> {
    this.failNextStarts = options.failStarts ?? 0
    return this.worker.terminate()
  }

  async close (): Promise<void> {
    this.closing = true
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer)
    await this.worker.terminate()
  }
}
