import * as tf from '@tensorflow/tfjs'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The stages of a prediction, in order; the names are shared with Server-Timing and request.timings. */
export const STAGES = ['decode', 'queue', 'infer'] as const
export type Stage = typeof STAGES[number]
/** Milliseconds spent in each stage measured; Server-Timing, the stage histogram and request.timings share it. */
export type StageTimings = Partial<Record<Stage, number>>

export interface ModelLabels {
  name: string
  version: string
}

export interface TensorMemory {
  numTensors: number
  numBytes: number
}

export interface FinishedRequest {
  method: string
  /** The route pattern (`/models/:name`), never the raw URL, so the label set stays bounded. */
  route: string
  statusCode: number
  /** The error envelope's `code`, empty for a success. */
  code: string
  seconds: number
}

export interface ServiceMetricsOptions {
  /** The inference backend (BackendChoice.name); a label of every inference metric. */
  backend: string
  /** Where tensor counts come from; replace it when tensors live elsewhere (worker threads). */
  tensorMemory?: () => TensorMemory | Promise<TensorMemory>
  /** Process and Node.js metrics from prom-client (CPU, memory, handles, GC, event-loop delay). */
  defaultMetrics?: boolean
}

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128]
const MODEL_LABELS = ['model', 'version', 'backend'] as const
const PROBABILITY_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
/** Upper bounds of the input size buckets, in megapixels (width x height of the upload, upright). */
const SIZE_BUCKETS_MP = [0.1, 1, 4, 16]

/** An answer given to one image, as the quality metrics see it. */
export interface ObservedAnswer {
  label: string
  probability: number
  uncertain: boolean
  warnings: string[]
  /** The upload's format and upright size, when it was decoded. */
  input?: { format: string, width: number, height: number }
}

/** `le_0.1mp`, `le_1mp`, `le_4mp`, `le_16mp` or `gt_16mp`: a bounded label for an input's size. */
export function sizeBucket (width: number, height: number): string {
  const mp = width * height / 1e6
  const bound = SIZE_BUCKETS_MP.find(b => mp <= b)
  return bound === undefined ? `gt_${SIZE_BUCKETS_MP[SIZE_BUCKETS_MP.length - 1]}mp` : `le_${bound}mp`
}

/** A warning's stable keyword (services/image/decode.ts starts each with one): rotated, alpha, animated, converted, ... */
export function warningKind (warning: string): string {
  return /^[a-z-]+/.exec(warning)?.[0] ?? 'other'
}

/**
 * Every metric the service exports, in a registry of its own (several apps can live in one process, as in
 * the tests). Framework-free: the HTTP layer reports finished requests and stage timings, the batcher reports
 * batch sizes and queue depth.
 */
export class ServiceMetrics {
  readonly registry = new Registry()
  readonly backend: string
  #inFlight = 0
  #tensorMemory: () => TensorMemory | Promise<TensorMemory>

  private readonly requests: Counter<'method' | 'route' | 'status_code' | 'code'>
  private readonly requestDuration: Histogram<'method' | 'route' | 'status_code'>
  private readonly inFlightGauge: Gauge
  private readonly stageDuration: Histogram<'stage' | typeof MODEL_LABELS[number]>
  private readonly batchSize: Histogram<typeof MODEL_LABELS[number]>
  private readonly queueDepth: Gauge<typeof MODEL_LABELS[number]>
  private readonly modelInfo: Gauge<'model' | 'version' | 'backend' | 'sha256'>
  private readonly topProbability: Histogram<typeof MODEL_LABELS[number]>
  private readonly answers: Counter<typeof MODEL_LABELS[number] | 'label'>
  private readonly uncertain: Counter<typeof MODEL_LABELS[number]>
  private readonly inputs: Counter<typeof MODEL_LABELS[number] | 'format' | 'size'>
  private readonly inputWarnings: Counter<typeof MODEL_LABELS[number] | 'warning'>
  private readonly cacheLookups: Counter<typeof MODEL_LABELS[number] | 'result'>
  private readonly grpcRequests: Counter<'method' | 'grpc_code'>
  private readonly grpcDuration: Histogram<'method'>
  private readonly workerDeaths: Counter<typeof MODEL_LABELS[number]>
  private readonly workerRestarts: Counter<typeof MODEL_LABELS[number]>
  private readonly workerStartFailures: Counter<typeof MODEL_LABELS[number]>

  constructor (opts: ServiceMetricsOptions) {
    this.backend = opts.backend
    this.#tensorMemory = opts.tensorMemory ?? (() => tf.memory())
    const registers = [this.registry]
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry })

    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern, status and error code (empty for a success).',
      labelNames: ['method', 'route', 'status_code', 'code'],
      registers
    })
    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its response.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: SECONDS_BUCKETS,
      registers
    })
    this.inFlightGauge = new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests received and not yet answered (queued ones included).',
      registers
    })
    this.stageDuration = new Histogram({
      name: 'predict_stage_duration_seconds',
      help: 'Time per prediction stage: decode (header check, decode and resize), queue (waiting for a batch) and infer (normalisation and the model, on its runner).',
      labelNames: ['stage', ...MODEL_LABELS],
      buckets: SECONDS_BUCKETS,
      registers
    })
    this.batchSize = new Histogram({
      name: 'inference_batch_size',
      help: 'Images per model call.',
      labelNames: MODEL_LABELS,
      buckets: BATCH_BUCKETS,
      registers
    })
    this.queueDepth = new Gauge({
      name: 'inference_queue_depth',
      help: 'Images waiting for a model call.',
      labelNames: MODEL_LABELS,
      registers
    })
    this.modelInfo = new Gauge({
      name: 'model_info',
      help: 'The models served: always 1, the labels carry name, version, backend and weights digest.',
      labelNames: ['model', 'version', 'backend', 'sha256'],
      registers
    })
    this.topProbability = new Histogram({
      name: 'prediction_top_probability',
      help: 'The probability of the answered (most probable) label, per image answered: its distribution drifting down says the model is less sure of today\'s inputs.',
      labelNames: MODEL_LABELS,
      buckets: PROBABILITY_BUCKETS,
      registers
    })
    this.answers = new Counter({
      name: 'prediction_answers_total',
      help: 'Images answered, by the label answered (the label mix).',
      labelNames: [...MODEL_LABELS, 'label'],
      registers
    })
    this.uncertain = new Counter({
      name: 'prediction_uncertain_total',
      help: 'Images answered with uncertain: true (top probability below the manifest\'s uncertainThreshold).',
      labelNames: MODEL_LABELS,
      registers
    })
    this.inputs = new Counter({
      name: 'prediction_inputs_total',
      help: 'Images decoded and answered, by format and size bucket (megapixels of the upright upload: le_0.1mp, le_1mp, le_4mp, le_16mp, gt_16mp).',
      labelNames: [...MODEL_LABELS, 'format', 'size'],
      registers
    })
    this.inputWarnings = new Counter({
      name: 'prediction_input_warnings_total',
      help: 'Warnings given with answered images, by kind (rotated, alpha, animated, multi-page, converted, upscaled, cropped).',
      labelNames: [...MODEL_LABELS, 'warning'],
      registers
    })
    this.cacheLookups = new Counter({
      name: 'response_cache_lookups_total',
      help: 'Response cache lookups (RESPONSE_CACHE_ENTRIES), by result: hit (answered without a decode or an inference) or miss.',
      labelNames: [...MODEL_LABELS, 'result'],
      registers
    })
    this.grpcRequests = new Counter({
      name: 'grpc_requests_total',
      help: 'gRPC calls answered (GRPC_PORT), by method and status code name (OK, INVALID_ARGUMENT, UNAVAILABLE, ...).',
      labelNames: ['method', 'grpc_code'],
      registers
    })
    this.grpcDuration = new Histogram({
      name: 'grpc_request_duration_seconds',
      help: 'Time from receiving a gRPC call to answering it.',
      labelNames: ['method'],
      buckets: SECONDS_BUCKETS,
      registers
    })
    this.workerDeaths = new Counter({
      name: 'inference_worker_deaths_total',
      help: 'Inference workers that died while serving (a crash, an out-of-memory kill).',
      labelNames: MODEL_LABELS,
      registers
    })
    this.workerRestarts = new Counter({
      name: 'inference_worker_restarts_total',
      help: 'Inference workers started again after a death or a failed start.',
      labelNames: MODEL_LABELS,
      registers
    })
    this.workerStartFailures = new Counter({
      name: 'inference_worker_start_failures_total',
      help: 'Restarts of an inference worker that failed (tried again after a backoff; the model is not ready while none runs).',
      labelNames: MODEL_LABELS,
      registers
    })
    const metrics = this
    new Gauge({ // eslint-disable-line no-new
      name: 'tfjs_tensors',
      help: 'Tensors allocated by TF.js.',
      labelNames: ['backend'],
      registers,
      async collect () { this.set({ backend: metrics.backend }, (await metrics.#tensorMemory()).numTensors) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'tfjs_memory_bytes',
      help: 'Bytes held by TF.js tensors.',
      labelNames: ['backend'],
      registers,
      async collect () { this.set({ backend: metrics.backend }, (await metrics.#tensorMemory()).numBytes) }
    })
  }

  get contentType (): string { return this.registry.contentType }

  /** Exports the uploads still arriving and those refused for it (MAX_UPLOADS_IN_PROGRESS, plugins/admission.ts). */
  setUploadSource (state: () => { uploading: number, refused: number }): void {
    const registers = [this.registry]
    new Gauge({ // eslint-disable-line no-new
      name: 'uploads_in_progress',
      help: 'Inference requests whose body is still arriving (they hold no admission slot).',
      registers,
      collect () { this.set(state().uploading) }
    })
    new Counter({ // eslint-disable-line no-new
      name: 'uploads_refused_total',
      help: 'Inference requests refused with 503 UPLOADS_BUSY: MAX_UPLOADS_IN_PROGRESS uploads were already arriving.',
      registers,
      collect () { this.reset(); this.inc(state().refused) }
    })
  }

  /** Exports the admission limit and what it has let through and refused (plugins/admission.ts). */
  setAdmissionSource (state: () => { limit: number, inFlight: number, admitted: number, refused: number, held: number, inFlightSeconds: number, utilizationSeconds: number }): void {
    const registers = [this.registry]
    new Gauge({ // eslint-disable-line no-new
      name: 'admission_limit',
      help: 'Inference requests allowed in flight now (ADMISSION_LIMIT; adapts to latency when auto).',
      registers,
      collect () { this.set(state().limit) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'admission_in_flight',
      help: 'Inference requests admitted and not yet answered.',
      registers,
      collect () { this.set(state().inFlight) }
    })
    // For an autoscaler (deploy/k8s/prometheus-adapter.yaml): the limit's utilisation now, and its integral, whose
    // rate over a window is the mean utilisation in it, however seldom the scrapes.
    new Gauge({ // eslint-disable-line no-new
      name: 'admission_utilization',
      help: 'Inference requests in flight over the admission limit (1: the next one is refused).',
      registers,
      collect () { const { inFlight, limit } = state(); this.set(inFlight / Math.max(1, limit)) }
    })
    new Counter({ // eslint-disable-line no-new
      name: 'admission_utilization_seconds_total',
      help: 'admission_utilization integrated over time: rate() of it is the mean utilisation of the admission limit.',
      registers,
      collect () { this.reset(); this.inc(state().utilizationSeconds) }
    })
    new Counter({ // eslint-disable-line no-new
      name: 'admission_in_flight_seconds_total',
      help: 'admission_in_flight integrated over time: rate() of it is the mean number of inference requests in flight.',
      registers,
      collect () { this.reset(); this.inc(state().inFlightSeconds) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'admission_refusals_held',
      help: 'Refusals at admission waiting out ADMISSION_HOLD_MS before they are answered.',
      registers,
      collect () { this.set(state().held) }
    })
    new Counter({ // eslint-disable-line no-new
      name: 'admission_refused_total',
      help: 'Inference requests refused at admission (503 OVERLOADED before the upload is read).',
      registers,
      collect () { this.reset(); this.inc(state().refused) }
    })
  }

  /** Requests received and not yet answered. */
  get inFlight (): number { return this.#inFlight }

  requestStarted (): void {
    this.#inFlight++
    this.inFlightGauge.inc()
  }

  /** Call once per request, answered or aborted, to keep the in-flight count right. */
  requestEnded (): void {
    this.#inFlight--
    this.inFlightGauge.dec()
  }

  observeRequest (request: FinishedRequest): void {
    const status = String(request.statusCode)
    this.requests.inc({ method: request.method, route: request.route, status_code: status, code: request.code })
    this.requestDuration.observe({ method: request.method, route: request.route, status_code: status }, request.seconds)
  }

  /** One gRPC call answered. */
  observeGrpc (method: string, code: string, seconds: number): void {
    this.grpcRequests.inc({ method, grpc_code: code })
    this.grpcDuration.observe({ method }, seconds)
  }

  /** Observes each stage present in `timings` (milliseconds, as in request.timings). */
  observeStages (timings: StageTimings, model: ModelLabels): void {
    for (const stage of STAGES) {
      const ms = timings[stage]
      if (typeof ms === 'number' && Number.isFinite(ms)) this.stageDuration.observe({ stage, ...this.#labels(model) }, ms / 1000)
    }
  }

  /** One model call of `size` images. */
  observeBatch (size: number, model: ModelLabels): void {
    this.batchSize.observe(this.#labels(model), size)
  }

  /** The answers given to the images of one request (answer quality and input mix). */
  observeAnswers (answers: ObservedAnswer[], model: ModelLabels): void {
    const labels = this.#labels(model)
    for (const answer of answers) {
      this.topProbability.observe(labels, answer.probability)
      this.answers.inc({ ...labels, label: answer.label })
      // Incremented by 0 too, so every version that answered has the series and a ratio over it is defined.
      this.uncertain.inc(labels, answer.uncertain ? 1 : 0)
      if (answer.input !== undefined) this.inputs.inc({ ...labels, format: answer.input.format, size: sizeBucket(answer.input.width, answer.input.height) })
      for (const warning of new Set(answer.warnings.map(warningKind))) this.inputWarnings.inc({ ...labels, warning })
    }
  }

  /** Response cache lookups of one request: how many hit and how many missed. */
  observeCache (hits: number, misses: number, model: ModelLabels): void {
    const labels = this.#labels(model)
    if (hits > 0) this.cacheLookups.inc({ ...labels, result: 'hit' }, hits)
    if (misses > 0) this.cacheLookups.inc({ ...labels, result: 'miss' }, misses)
  }

  /** Exports the response cache's size (services/inference/response-cache.ts). */
  setCacheSource (state: () => { entries: number, bytes: number }): void {
    const registers = [this.registry]
    new Gauge({ // eslint-disable-line no-new
      name: 'response_cache_entries',
      help: 'Answers held by the response cache (at most RESPONSE_CACHE_ENTRIES).',
      registers,
      collect () { this.set(state().entries) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'response_cache_bytes',
      help: 'Bytes held by the response cache, keys included (at most RESPONSE_CACHE_BYTES).',
      registers,
      collect () { this.set(state().bytes) }
    })
  }

  /** Images now waiting for a model call. */
  setQueueDepth (depth: number, model: ModelLabels): void {
    this.queueDepth.set(this.#labels(model), depth)
  }

  /** A worker event of a model version (services/engines/runners.ts). */
  observeWorker (type: 'died' | 'restarted' | 'start-failed' | 'recovered', model: ModelLabels): void {
    if (type === 'died') this.workerDeaths.inc(this.#labels(model))
    else if (type === 'restarted') this.workerRestarts.inc(this.#labels(model))
    else if (type === 'start-failed') this.workerStartFailures.inc(this.#labels(model))
  }

  setModels (models: Array<ModelLabels & { sha256: string }>): void {
    this.modelInfo.reset()
    for (const m of models) {
      this.modelInfo.set({ model: m.name, version: m.version, backend: this.backend, sha256: m.sha256 }, 1)
      this.queueDepth.set(this.#labels(m), 0)
      this.workerDeaths.inc(this.#labels(m), 0)
      this.workerRestarts.inc(this.#labels(m), 0)
      this.workerStartFailures.inc(this.#labels(m), 0)
    }
  }

  /** Replaces where tensor counts come from (the worker pool can sum its workers'). */
  setTensorMemorySource (source: () => TensorMemory | Promise<TensorMemory>): void {
    this.#tensorMemory = source
  }

  /** The Prometheus text exposition of every metric. */
  render (): Promise<string> {
    return this.registry.metrics()
  }

  #labels (model: ModelLabels) {
    return { model: model.name, version: model.version, backend: this.backend }
  }
}
