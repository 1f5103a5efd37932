import { availableParallelism } from 'node:os'
import type { Config } from '../common/config.js'
import { BatchQueue, type BatchRun, type BatchRunner, type TensorMemory } from '../engines/batch-queue.js'
import { onOnnxRuntime, type BackendChoice } from '../engines/backend.js'
import { readFile } from 'node:fs/promises'
import { TfjsClassifier } from '../engines/tfjs/classifier.js'
import { ModelDescription, ModelSnapshot, type Classification } from './description.js'
import type { Pixels } from '../image/pixels.js'
import { InProcessRunner, WorkerRunner, type WorkerEvent } from '../engines/runners.js'
import { OnnxClassifier, type OnnxModelFile, type OrtSessionSettings } from '../engines/onnx/classifier.js'

export interface InferenceSettings {
  /** Worker threads; 0 runs inference on the main thread. */
  workers: number
  maxBatchSize: number
  maxBatchDelayMs: number
  maxQueue: number
  /** onnxruntime and webgpu: the options of each worker's session. */
  ort?: OrtSessionSettings
  /** onnxruntime and webgpu: the precision of the graph served (int8: services/engines/onnx/quantize.ts). */
  precision?: 'fp32' | 'int8'
}

/** The settings that shape inference (services/common/config.ts); the onnxruntime ones may be left out. */
export type InferenceConfig = Pick<Config, 'INFERENCE_WORKERS' | 'MAX_BATCH_SIZE' | 'MAX_BATCH_DELAY_MS' | 'MAX_QUEUE'> & Partial<Pick<Config, 'ORT_INTRA_OP_THREADS' | 'ORT_SPINNING'>>

const onTensorFlow = (backend: BackendChoice): boolean => backend.tfjsBackend === 'tensorflow'

/**
 * Defaults per backend. wasm and cpu run one op at a time per thread, so each core gets a worker with its own
 * model. On wasm, batches of up to 4 give a little more throughput at the same p99 (npm run bench, food 2.0.0: two
 * workers, 59.7 images/s at batch 1, 64.1 at up to 4); an idle worker still takes a lone request at once. The
 * pure-JS cpu backend is not measured and keeps batches of one. tfjs-node spreads each op over its own thread pool
 * and gains from larger batches, so it runs on the main thread with batches of up to 16.
 */
export function resolveInferenceSettings (config: InferenceConfig, backend: BackendChoice, cores = availableParallelism()): InferenceSettings {
  const intraOpThreads = config.ORT_INTRA_OP_THREADS === undefined || config.ORT_INTRA_OP_THREADS === 'auto' ? 1 : config.ORT_INTRA_OP_THREADS
  if (backend.name === 'webgpu') {
    // One GPU device: one session on one worker (the binding's run is synchronous, so not on the HTTP thread), fed
    // batches of up to 32 while it is busy. Not yet measured on a GPU (on lavapipe, the software adapter, batch size
    // only slows each batch down).
    return {
      workers: config.INFERENCE_WORKERS === 'auto' ? 1 : config.INFERENCE_WORKERS,
      maxBatchSize: config.MAX_BATCH_SIZE === 'auto' ? 32 : config.MAX_BATCH_SIZE,
      maxBatchDelayMs: config.MAX_BATCH_DELAY_MS,
      maxQueue: config.MAX_QUEUE,
      ort: { intraOpThreads, spinning: config.ORT_SPINNING ?? false, executionProvider: 'webgpu' }
    }
  }
  if (backend.name === 'onnxruntime') {
    // onnxruntime-node runs a session synchronously on the calling thread, so sessions live on workers; one
    // single-threaded session per core (ORT_INTRA_OP_THREADS=1) and batches of up to 4: see docs/benchmarks.md,
    // "The engine alone", for the measurements behind these defaults.
    return {
      workers: config.INFERENCE_WORKERS === 'auto' ? Math.max(1, Math.floor(cores / intraOpThreads)) : config.INFERENCE_WORKERS,
      maxBatchSize: config.MAX_BATCH_SIZE === 'auto' ? 4 : config.MAX_BATCH_SIZE,
      maxBatchDelayMs: config.MAX_BATCH_DELAY_MS,
      maxQueue: config.MAX_QUEUE,
      ort: { intraOpThreads, spinning: config.ORT_SPINNING ?? false }
    }
  }
  return {
    workers: config.INFERENCE_WORKERS === 'auto' ? (onTensorFlow(backend) ? 0 : cores) : config.INFERENCE_WORKERS,
    maxBatchSize: config.MAX_BATCH_SIZE === 'auto' ? (onTensorFlow(backend) ? 16 : backend.tfjsBackend === 'wasm' ? 4 : 1) : config.MAX_BATCH_SIZE,
    maxBatchDelayMs: config.MAX_BATCH_DELAY_MS,
    maxQueue: config.MAX_QUEUE
  }
}

export interface ServedClassification extends Classification {
  /** One probability per label, in the order of the manifest's labels (the model's output row). */
  probabilities: Float32Array
  queueMs: number
  inferMs: number
  batchSize: number
  /** The batch it ran in (shared with its batch-mates): for the batch and inference spans. */
  batch: BatchRun
}

export interface ServeHooks {
  onBatch?: (size: number, ms: number) => void
  onDepth?: (depth: number) => void
  /** A worker died, was restarted, failed to start, or came back: for the log and metrics. */
  onWorker?: (event: WorkerEvent) => void
}

/** Where a model sits in the repository: its name there and its version number (1 for a flat model directory). */
export interface RepositoryIdentity {
  name: string
  version: number
}

/** A model being served: what it is (description) and how requests reach it (a batch queue over runners). */
export class ServedModel {
  private constructor (
    readonly description: ModelDescription,
    readonly settings: InferenceSettings,
    private readonly queue: BatchQueue,
    private readonly runners: BatchRunner[],
    private readonly identity: RepositoryIdentity,
    /** Milliseconds the warm-up took, the slowest runner's. */
    readonly warmUpMs: number,
    private readonly workerListeners: Array<(event: WorkerEvent) => void>
  ) {}

  /**
   * Loads and warms the model on its runners. On onnxruntime, `onnx` is the checked conversion to serve. `identity`
   * is its repository name and version; without one, the manifest's name and version 1.
   */
  static async start (directory: string, backend: BackendChoice, settings: InferenceSettings, hooks: ServeHooks = {}, onnx?: OnnxModelFile & { digest?: string }, identity?: RepositoryIdentity): Promise<ServedModel> {
    // Read once: every worker of this version, those started later included, gets these very bytes (a snapshot).
    const snapshot = await ModelSnapshot.read(directory)
    const description = snapshot.description
    if (onnx?.digest !== undefined && onnx.digest !== description.digest) {
      throw new Error(`Model ${directory} changed on disk while it was loading (its ONNX conversion is of weights ${onnx.digest.slice(0, 12)}, the files now are ${description.digest.slice(0, 12)}): refused, load it again`)
    }
    const file = onnx === undefined ? undefined : { ...onnx, bytes: onnx.bytes ?? new Uint8Array(await readFile(onnx.path)) }
    const ort = onOnnxRuntime(backend.name)
      ? { file: file ?? failNoOnnx(backend.name), session: settings.ort ?? { intraOpThreads: 1, spinning: false, executionProvider: backend.name === 'webgpu' ? 'webgpu' as const : 'cpu' as const } }
      : undefined
    const workerListeners: Array<(event: WorkerEvent) => void> = hooks.onWorker === undefined ? [] : [hooks.onWorker]
    const onWorker = (event: WorkerEvent): void => { for (const listener of workerListeners) listener(event) }
    let runners: BatchRunner[]
    let warmUpMs: number
    /** The first latency estimate: an image's cost after the warm-up (which pays for compilation once). */
    let itemMs: number
    if (settings.workers === 0) {
      const classifier = ort === undefined ? await TfjsClassifier.load(snapshot) : await OnnxClassifier.load(description, ort.file, ort.session)
      const started = performance.now()
      await classifier.warmUp()
      warmUpMs = performance.now() - started
      const second = performance.now()
      await classifier.warmUp()
      itemMs = performance.now() - second
      runners = [new InProcessRunner(classifier)]
    } else {
      const { digest: _digest, ...onnxFile } = ort?.file ?? {}
      const init = {
        description: description.data,
        backend: backend.name,
        ...(ort === undefined ? { tfjs: { modelJson: snapshot.modelJson, weightData: snapshot.weightData } } : { onnx: { file: onnxFile as OnnxModelFile, session: ort.session } })
      }
      const started = await Promise.allSettled(Array.from({ length: settings.workers }, (_, i) =>
        WorkerRunner.start(`worker-${i}`, init, description.labels.length, onWorker)))
      const failed = started.find(r => r.status === 'rejected')
      const ok = started.flatMap(r => r.status === 'fulfilled' ? [r.value] : [])
      if (failed !== undefined) {
        await Promise.all(ok.map(r => r.runner.close()))
        throw (failed as PromiseRejectedResult).reason
      }
      runners = ok.map(r => r.runner)
      warmUpMs = Math.max(...ok.map(r => r.warmUpMs))
      itemMs = Math.max(...ok.map(r => r.runner.itemMs))
    }
    const queue = new BatchQueue(runners, { ...settings, initialItemMs: Number.isFinite(itemMs) ? itemMs : warmUpMs, ...hooks })
    const served = ort === undefined ? settings : { ...settings, precision: ort.file.precision ?? 'fp32' }
    return new ServedModel(description, served, queue, runners, identity ?? { name: description.name, version: 1 }, warmUpMs, workerListeners)
  }

  /** The name clients use: the repository's directory name (the manifest's name for a single MODEL_DIR). */
  get name (): string { return this.identity.name }
  /** The repository version number, as the V2 and TF Serving protocols address it. */
  get repositoryVersion (): number { return this.identity.version }
  /** The model's own version, from its manifest (for instance 4.0.0). */
  get version (): string { return this.description.version }
  get labels (): string[] { return this.description.labels }
  get inputSpec () { return this.description.inputSpec }
  get inputShape (): [number, number, number] { return this.description.inputShape }
  get manifest () { return this.description.manifest }
  get digest (): string { return this.description.digest }
  get format () { return this.description.format }
  get queueDepth (): number { return this.queue.depth }
  get inFlight (): number { return this.queue.inFlight }
  get workerRunners (): WorkerRunner[] { return this.runners.filter((r): r is WorkerRunner => r instanceof WorkerRunner) }

  /** Reports each batch run, each change of the queue depth and each worker event, for metrics. */
  observe (hooks: ServeHooks): void {
    this.queue.observe(hooks)
    if (hooks.onWorker !== undefined) this.workerListeners.push(hooks.onWorker)
  }

  /** Whether some runner can answer: false while every worker fails to start (the model is then not ready). */
  get available (): boolean { return this.queue.available }
  /** Why not, while it is not. */
  get unavailableReason (): string | undefined {
    return this.available ? undefined : this.workerRunners.find(r => r.unavailableReason !== undefined)?.unavailableReason
  }

  /** Requests answered and batches run since start. */
  get counts (): { requests: number, batches: number } { return { ...this.queue.counts } }

  /** TF.js tensors held, summed over the runners (each worker has its own engine). */
  async memory (): Promise<TensorMemory> {
    const each = await Promise.all(this.runners.map(r => r.memory()))
    return { numTensors: each.reduce((n, m) => n + m.numTensors, 0), numBytes: each.reduce((n, m) => n + m.numBytes, 0) }
  }

  /** Throws the 503 a request would get now, before the caller decodes its image. */
  admit (deadline?: number): void {
    this.queue.admit(deadline)
  }

  /** `link`: handed back, with those of its batch-mates, in the answer's `batch.links` (tracing: a span context). */
  async classify (input: Pixels, options: { topK?: number, deadline?: number, link?: unknown } = {}): Promise<ServedClassification> {
    const { probabilities, queueMs, inferMs, batchSize, batch } = await this.queue.submit(input, options.deadline, options.link)
    return { ...this.description.describe(probabilities, options.topK), probabilities, queueMs, inferMs, batchSize, batch }
  }

  /** Answers every accepted request, then stops the runners and releases their models. */
  close (): Promise<void> {
    return this.queue.close()
  }
}

function failNoOnnx (backend: string): never {
  throw new Error(`the ${backend} backend needs the converted model (services/engines/onnx/prepare.ts)`)
}
