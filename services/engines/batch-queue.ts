import { OverloadedError } from '../common/errors.js'
import type { Pixels } from '../image/pixels.js'

/** Something that runs a batch of inputs through the model: a worker thread, or the main thread. */
export interface BatchRunner {
  readonly id: string
  /** False while the runner cannot take work (a worker that failed to start, waiting to be tried again); default true. */
  readonly available?: boolean
  /** Why not, while it is not. */
  readonly unavailableReason?: string
  run: (inputs: Pixels[]) => Promise<RunnerOutput>
  /** TF.js tensors held by this runner's engine. */
  memory: () => Promise<TensorMemory>
  close: () => Promise<void>
}

export interface TensorMemory { numTensors: number, numBytes: number }

export interface RunnerOutput {
  /** One row of probabilities per input, in order. */
  outputs: Float32Array[]
  /** What the runner measured of its own work, on the thread that did it (a worker's, for a WorkerRunner). */
  ran?: RunnerTiming
}

/** Epoch milliseconds (performance.timeOrigin + performance.now() on the thread that ran): comparable across threads. */
export interface RunnerTiming {
  startMs: number
  endMs: number
  /** The thread: its name (the runner's id) and, for a worker thread, its threadId. */
  thread: { name: string, id?: number }
}

/** One batch as its requests see it: the same object for all of them. */
export interface BatchRun {
  size: number
  /** performance.now() on the main thread: the batch handed to its runner, its outputs back. */
  startedAt: number
  endedAt: number
  ran?: RunnerTiming
  /** The `link` each request of the batch was submitted with, in batch order (their span contexts, when traced). */
  links: unknown[]
}

export interface BatchQueueOptions {
  /** Largest batch handed to a runner. */
  maxBatchSize: number
  /** How long a partial batch may wait for company while other runners are busy. */
  maxBatchDelayMs: number
  /** Requests waiting beyond this are refused with 503 and Retry-After. */
  maxQueue: number
  /** Seeds the latency estimate before any batch has run (the warm-up measurement). */
  initialItemMs: number
  /** Called after each batch, for metrics. */
  onBatch?: (size: number, ms: number) => void
  /** Called whenever the queue depth changes, for metrics. */
  onDepth?: (depth: number) => void
}

export interface QueuedResult {
  probabilities: Float32Array
  /** Milliseconds waiting in the queue before the batch started. */
  queueMs: number
  /** Milliseconds the batch took on its runner. */
  inferMs: number
  batchSize: number
  batch: BatchRun
}

interface Pending {
  input: Pixels
  link: unknown
  enqueuedAt: number
  deadline: number
  attempts: number
  resolve: (r: QueuedResult) => void
  reject: (e: unknown) => void
}

const MAX_ATTEMPTS = 2

/**
 * Dynamic batching in the manner of Triton's: requests wait in one queue per model and are handed to the
 * next free runner as a batch of up to maxBatchSize. A request finding every runner idle is dispatched at
 * once; while runners are busy, a partial batch waits at most maxBatchDelayMs for more requests. The queue
 * is bounded, and a request whose deadline cannot be met is refused at once rather than timing out later.
 */
export class BatchQueue {
  private readonly queue: Pending[] = []
  private readonly idle: BatchRunner[]
  private busy = 0
  private timer: NodeJS.Timeout | undefined
  private itemMs: number
  private closed = false
  private drainWaiters: Array<() => void> = []
  /** Requests answered and batches run since start. */
  readonly counts = { requests: 0, batches: 0 }

  constructor (private readonly runners: BatchRunner[], private options: BatchQueueOptions) {
    if (runners.length === 0) throw new Error('BatchQueue needs at least one runner')
    this.idle = [...runners]
    this.itemMs = options.initialItemMs
  }

  /** Sets the metrics callbacks (batches run, depth changes). */
  observe (hooks: Pick<BatchQueueOptions, 'onBatch' | 'onDepth'>): void {
    this.options = { ...this.options, ...hooks }
  }

  /** Whether some runner can take work: none can while every worker fails to start. */
  get available (): boolean { return this.runners.some(r => r.available !== false) }

  /** The 503 of a model none of whose runners can take work, from the first runner's own (it says why). */
  private unavailableError (): OverloadedError {
    const reason = this.runners.find(r => r.unavailableReason !== undefined)?.unavailableReason
    return new OverloadedError('MODEL_UNAVAILABLE', `The model cannot answer now: none of its inference workers is running${reason === undefined ? '' : ` (${reason})`}; they are restarted automatically, retry in 5 s.`, 5)
  }

  get depth (): number { return this.queue.length }
  get inFlight (): number { return this.busy }
  get concurrency (): number { return this.runners.length }
  /** Recent milliseconds of runner time per image (exponentially weighted). */
  get msPerItem (): number { return this.itemMs }

  /** Expected milliseconds until a request enqueued now has its answer. */
  estimateLatencyMs (): number {
    const ahead = this.queue.length + this.busy * this.options.maxBatchSize
    const rounds = Math.floor(ahead / (this.options.maxBatchSize * this.runners.length))
    const batch = Math.min(this.options.maxBatchSize, ahead + 1)
    return (rounds + 1) * batch * this.itemMs
  }

  private retryAfterSeconds (): number {
    return Math.max(1, Math.ceil(this.estimateLatencyMs() / 1000))
  }

  /**
   * Throws the 503 that submit would give now (shutting down, queue full, deadline out of reach), so a caller can
   * refuse a request before spending CPU on decoding it.
   */
  admit (deadline = Infinity): void {
    if (this.closed) {
      throw new OverloadedError('SHUTTING_DOWN', 'The server is shutting down; retry on another instance.', 1)
    }
    if (!this.available) throw this.unavailableError()
    if (this.queue.length >= this.options.maxQueue) {
      const retry = this.retryAfterSeconds()
      throw new OverloadedError('QUEUE_FULL', `The inference queue is full (${this.options.maxQueue} requests waiting, MAX_QUEUE); retry in ${retry} s.`, retry)
    }
    const now = performance.now()
    const expected = this.estimateLatencyMs()
    if (now + expected > deadline) {
      throw new OverloadedError('DEADLINE_EXCEEDED', `The request's deadline (${Math.max(0, Math.round(deadline - now))} ms left) cannot be met: about ${Math.round(expected)} ms of work is queued ahead of it.`, this.retryAfterSeconds())
    }
  }

  /** `link`: anything the caller wants to know of its batch-mates (tracing: the request's span context). */
  submit (input: Pixels, deadline = Infinity, link?: unknown): Promise<QueuedResult> {
    try {
      this.admit(deadline)
    } catch (err) {
      return Promise.reject(err)
    }
    const now = performance.now()
    return new Promise((resolve, reject) => {
      this.queue.push({ input, link, enqueuedAt: now, deadline, attempts: 0, resolve, reject })
      this.options.onDepth?.(this.queue.length)
      this.pump()
    })
  }

  private pump (): void {
    if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined }
    if (this.queue.length > 0 && !this.available) {
      const err = this.unavailableError()
      for (const p of this.queue.splice(0)) p.reject(err)
      this.options.onDepth?.(0)
    }
    // A runner that cannot take work stays aside until it can; it is looked at again at every pump.
    const usable = (): BatchRunner | undefined => {
      for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i].available !== false) return this.idle.splice(i, 1)[0]
      return undefined
    }
    while (this.idle.some(r => r.available !== false) && this.queue.length > 0) {
      if (this.queue.length < this.options.maxBatchSize && this.busy > 0) {
        const waited = performance.now() - this.queue[0].enqueuedAt
        if (waited < this.options.maxBatchDelayMs) {
          this.timer = setTimeout(() => this.pump(), this.options.maxBatchDelayMs - waited)
          return
        }
      }
      const batch = this.takeBatch()
      if (batch.length > 0) this.dispatch(usable() as BatchRunner, batch)
    }
    if (this.busy === 0 && this.queue.length === 0) {
      for (const waiter of this.drainWaiters.splice(0)) waiter()
    }
  }

  /** Takes up to maxBatchSize requests, refusing those whose deadline has already passed. */
  private takeBatch (): Pending[] {
    const now = performance.now()
    const batch: Pending[] = []
    while (batch.length < this.options.maxBatchSize && this.queue.length > 0) {
      const item = this.queue.shift() as Pending
      if (item.deadline < now) {
        item.reject(new OverloadedError('DEADLINE_EXCEEDED', `The request's deadline passed after ${Math.round(now - item.enqueuedAt)} ms in the queue.`, this.retryAfterSeconds()))
        continue
      }
      batch.push(item)
    }
    this.options.onDepth?.(this.queue.length)
    return batch
  }

  private dispatch (runner: BatchRunner, batch: Pending[]): void {
    this.busy++
    const started = performance.now()
    runner.run(batch.map(p => p.input)).then(({ outputs, ran }) => {
      const endedAt = performance.now()
      const ms = endedAt - started
      this.itemMs = 0.8 * this.itemMs + 0.2 * (ms / batch.length)
      this.counts.requests += batch.length
      this.counts.batches++
      this.options.onBatch?.(batch.length, ms)
      const run: BatchRun = { size: batch.length, startedAt: started, endedAt, ran, links: batch.map(p => p.link) }
      batch.forEach((p, i) => p.resolve({ probabilities: outputs[i], queueMs: started - p.enqueuedAt, inferMs: ms, batchSize: batch.length, batch: run }))
    }, (err: unknown) => {
      // A runner that failed (a crashed worker, say) is not the requests' fault: give them one more try.
      const retry = batch.filter(p => ++p.attempts < MAX_ATTEMPTS)
      for (const p of batch) if (!retry.includes(p)) p.reject(err)
      this.queue.unshift(...retry)
    }).finally(() => {
      this.busy--
      this.idle.push(runner)
      this.pump()
    })
  }

  /** Resolves when every queued and running request has been answered. */
  drain (): Promise<void> {
    if (this.busy === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise(resolve => this.drainWaiters.push(resolve))
  }

  /** Stops taking requests, answers those already accepted, then closes the runners. */
  async close (): Promise<void> {
    this.closed = true
    await this.drain()
    if (this.timer !== undefined) clearTimeout(this.timer)
    await Promise.all(this.runners.map(r => r.close()))
  }
}
