import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'
import { projectRoot } from './project.js'
import { MODEL_NAME_PATTERN, VERSION_POLICY_PATTERN } from '../models/repository.js'

const MiB = 1024 * 1024

export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'webgpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'] as const

/** Every environment variable the service reads, with its default. The one place config is described. */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on.' }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address to bind.' }),
  GRPC_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Serve the Open Inference Protocol over gRPC (inference.GRPCInferenceService, proto/grpc_predict_v2.proto) on this port too, on HOST (Triton uses 8001; 0: any free port). Unset: no gRPC.' })),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(l => Type.Literal(l)), { default: 'info' }),
  MODEL_REPOSITORY: Type.String({ minLength: 1, default: resolve(projectRoot, 'model'), description: 'The model repository: <name>/<version>/ directories (manifest.json + model.json each); a model directory directly under it is that model\'s version 1.' }),
  MODEL_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Serve this one model directory instead of the repository, named by its manifest, as version 1.' })),
  DEFAULT_MODEL: Type.String({ pattern: MODEL_NAME_PATTERN, default: 'food', description: 'The repository model that answers POST /predict (with MODEL_DIR: that model).' }),
  LOAD_MODELS: Type.String({ pattern: `^(\\*|(${MODEL_NAME_PATTERN.slice(1, -1)})(,${MODEL_NAME_PATTERN.slice(1, -1)})*)?$`, default: '', description: 'Models loaded at boot besides the default one, comma-separated; * loads every model in the repository. Others load with POST /v2/repository/models/{name}/load.' }),
  VERSION_POLICY: Type.String({ pattern: VERSION_POLICY_PATTERN, default: 'latest', description: 'Which versions of a model serve: latest, latest:N, all or specific:V,V; per model as name=policy, separated by spaces (food=latest:2 latest).' }),
  REQUIRED_MODELS: Type.String({ pattern: `^((${MODEL_NAME_PATTERN.slice(1, -1)})(,${MODEL_NAME_PATTERN.slice(1, -1)})*)?$`, default: '', description: 'Models without which the instance is not ready (GET /health/ready answers 503), comma-separated; empty: the default model.' }),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'Turns on the repository control endpoints (POST /v2/repository/...), which then need Authorization: Bearer <this token>. Unset: they answer 403.' })),
  MAX_IMAGES_PER_REQUEST: Type.Integer({ minimum: 1, maximum: 256, default: 16, description: 'Most images in one request (multipart file parts, JSON images, V2 batch, TF Serving instances); more is a 400 TOO_MANY_IMAGES.' }),
  MAX_REQUEST_BYTES: Type.Integer({ minimum: 1024, default: 32 * MiB, description: 'Most image bytes in one request, all images together (after base64 decoding); more is a 413.' }),
  INFERENCE_BACKEND: Type.Union(BACKEND_PREFERENCES.map(b => Type.Literal(b)), { default: 'auto', description: 'Force an inference backend; auto picks the best that loads (tensorflow-gpu with a GPU visible, webgpu on a Vulkan GPU that is not a software rasteriser, onnxruntime, tensorflow, wasm, cpu). Forced, webgpu also runs on a software adapter (lavapipe).' }),
  TFJS_BACKEND: Type.Optional(Type.Union(BACKEND_PREFERENCES.map(b => Type.Literal(b)), { description: 'Former name of INFERENCE_BACKEND, still read when INFERENCE_BACKEND is not set.' })),
  ORT_INTRA_OP_THREADS: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 64 })], { default: 'auto', description: 'onnxruntime: threads each session spreads an op over. auto: 1 (one session per inference worker, a worker per core; on webgpu, for the nodes left on the CPU).' }),
  ORT_SPINNING: Type.Boolean({ default: false, description: 'onnxruntime: idle intra-op threads spin waiting for work (only matters with ORT_INTRA_OP_THREADS above 1).' }),
  ONNX_CACHE_DIR: Type.String({ minLength: 1, default: join(tmpdir(), 'food-classifier-onnx'), description: 'onnxruntime: where models converted to ONNX are kept, by weights digest (the model directory may be read-only).' }),
  ONNX_PRECISION: Type.Union([Type.Literal('auto'), Type.Literal('fp32'), Type.Literal('int8')], { default: 'auto', description: 'onnxruntime: auto serves a model in int8 when its directory ships a calibration (int8.json, npm run model:calibrate) and the int8 graph agrees with fp32 on the check photos, fp32 otherwise; fp32 never quantises; int8 refuses to serve a model without one. webgpu always runs fp32.' }),
  ONNX_CHECK_PHOTOS: Type.String({ minLength: 1, default: resolve(projectRoot, 'test/fixtures/photos'), description: 'onnxruntime: real photos a new conversion is checked on; it is served only when it equals the TF.js graph within 1e-4 on them.' }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 10 * MiB, description: 'Largest accepted upload, in bytes.' }),
  MAX_PIXELS: Type.Integer({ minimum: 1, default: 50_000_000, description: 'Largest accepted width x height, checked from the image header before decoding.' }),
  DECODE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'A decode that runs longer is stopped.' }),
  DOCS_ENABLED: Type.Boolean({ default: true, description: 'Serve Swagger UI at /docs and the spec at /docs/json.' }),
  INFERENCE_WORKERS: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 0, maximum: 64 })], { default: 'auto', description: 'Worker threads holding a model each; 0 runs inference on the main thread. auto: one per core on wasm/cpu and onnxruntime, 1 on webgpu (one session on the GPU), 0 on tfjs-node (it parallelises inside).' }),
  MAX_BATCH_SIZE: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 256 })], { default: 'auto', description: 'Largest dynamic batch. auto: 4 on onnxruntime and wasm (measured: a little more throughput, same p99), 1 on cpu, 16 on tfjs-node, 32 on webgpu (not yet measured on a GPU).' }),
  MAX_BATCH_DELAY_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 2, description: 'How long a partial batch waits for company while other workers are busy; an idle server dispatches at once.' }),
  MAX_QUEUE: Type.Integer({ minimum: 1, default: 64, description: 'Requests waiting for inference beyond this are refused with 503 and Retry-After.' }),
  ADMISSION_LIMIT: Type.Union([Type.Literal('auto'), Type.Literal('off'), Type.Integer({ minimum: 1 })], { default: 'auto', description: 'Inference requests in flight beyond this are refused at once (503 OVERLOADED, Retry-After) before their upload is read. auto: a limit that adapts to measured latency (between workers x batch size and MAX_QUEUE more); a number: that fixed limit; off: no limit but MAX_QUEUE.' }),
  ADMISSION_HOLD_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1000, description: 'A refusal at admission (503 OVERLOADED) is answered after this many ms, at most its Retry-After, its upload still unread: clients that ignore Retry-After cannot retry faster than that, so a retry storm costs a refusal per client per hold. Uploads over 1 MiB or unsized are answered at once, as are refusals past 1,024 held. 0: answer at once (for a load balancer that retries another replica on 503).' }),
  MAX_UPLOADS_IN_PROGRESS: Type.Integer({ minimum: 1, default: 256, description: 'Inference requests whose body is still arriving beyond this are refused at once (503 UPLOADS_BUSY, Retry-After). They hold no admission slot (ADMISSION_LIMIT counts requests whose body has arrived), so clients trickling their uploads cannot lock the others out; each is cut at BODY_TIMEOUT_MS.' }),
  ADMISSION_TOLERANCE: Type.Number({ minimum: 1.1, maximum: 100, default: 2, description: 'With ADMISSION_LIMIT=auto: how many times its latency at the lowest limit a request may take before the limit shrinks.' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ minLength: 1, description: 'OpenTelemetry: where OTLP spans go (e.g. http://collector:4318); setting it turns tracing on. The SDK reads every other OTEL_* variable itself (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, OTEL_RESOURCE_ATTRIBUTES, ...).' })),
  OTEL_TRACES_EXPORTER: Type.Optional(Type.String({ minLength: 1, description: 'OpenTelemetry: the span exporters (otlp, console, zipkin; none: off); setting it turns tracing on. Unset, and OTEL_EXPORTER_OTLP_ENDPOINT unset: no tracing at all.' })),
  OTEL_SERVICE_NAME: Type.String({ minLength: 1, default: 'food-classifier-service', description: 'OpenTelemetry: the service.name of the spans.' }),
  RESPONSE_CACHE_ENTRIES: Type.Integer({ minimum: 0, default: 0, description: 'Response cache: keep the answers to this many images, keyed by the SHA-256 of the image bytes and the model version (weights and preprocessing), so a repeat is answered without a decode or an inference. 0: off.' }),
  RESPONSE_CACHE_BYTES: Type.Integer({ minimum: 1024, default: 16 * MiB, description: 'Response cache: most bytes its entries may hold, keys included; the least recently used go first.' }),
  MAX_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 30_000, description: 'Deadline of a request, and the cap of the X-Request-Timeout-Ms header; a deadline that cannot be met is refused at once.' }),
  SHARP_CONCURRENCY: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 64 })], { default: 'auto', description: 'libvips threads per image decode. auto: 1 when inference workers use the cores.' }),
  FAULT_INJECTION: Type.Boolean({ default: false, description: 'Fault drills only: SIGUSR2 kills every inference worker as a crash would (they are replaced). Off by default.' }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ minimum: 0, default: 1000, description: 'Above this event-loop delay requests are refused with 503 (0 = off).' }),
  MAX_RSS_BYTES: Type.Integer({ minimum: 0, default: 0, description: 'Above this resident memory requests are refused with 503 (0 = off).' }),
  BOOT_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 120_000, description: 'Longest model load, warm-up and conversion check before the port opens (Fastify pluginTimeout); past it the boot fails. WebGPU on a software adapter (lavapipe) can need more.' }),
  SHUTDOWN_DELAY_MS: Type.Integer({ minimum: 0, default: 0, description: 'On SIGTERM or SIGINT, readiness turns 503 and the listener stays open this long, so load balancers stop sending first (Kubernetes: about 5000).' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 30_000, description: 'Longest graceful shutdown, delay included: accepted and queued requests finish, the model and workers are released; past it the process exits 1.' }),
  CORS_ORIGINS: Type.String({ default: '', description: 'Comma-separated origins (scheme://host[:port]) whose web pages may call the API from a browser, or * for any origin. Empty: no CORS headers, browsers refuse cross-origin calls.' }),
  API_KEYS: Type.String({ default: '', description: 'Comma-separated API keys (16 to 256 characters, no spaces or commas). When API_KEYS or API_KEYS_FILE is set, the inference and model routes answer only requests with a key (Authorization: Bearer <key> or X-API-Key: <key>); probes, /metrics, /, /docs and the repository routes (ADMIN_TOKEN) stay open.' }),
  API_KEYS_FILE: Type.String({ default: '', description: 'A file of API keys, one per line (blank lines and lines starting with # are skipped), read at boot; adds to API_KEYS.' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 0, default: 0, description: 'Requests a client (its API key, else its address) may make per RATE_LIMIT_WINDOW_MS; past it, 429 with Retry-After. Probes and /metrics are not counted. 0 = off.' }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000, description: 'The rate limit window, in ms.' }),
  TRUST_PROXY: Type.String({ default: '', description: 'Comma-separated addresses or CIDR ranges of reverse proxies (or loopback, linklocal, uniquelocal) whose X-Forwarded-For is believed: the client address (rate limits, logs) is then the forwarded one. Empty: the socket address, X-Forwarded-For ignored.' }),
  BODY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'A request body still arriving this long after the request began is cut: 408 BODY_TIMEOUT and the connection closed.' }),
  HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000, description: 'A connection that has not sent complete request headers in this long is closed with 408 (Node.js headersTimeout).' }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 72_000, description: 'An idle keep-alive connection is closed after this long; above the 60 s idle timeout of common load balancers, so they never reuse a connection the service is closing.' })
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

interface AllowedValue { const?: unknown, type?: string, minimum?: number, maximum?: number }

function describeAllowed (option: AllowedValue): string {
  if (option.const !== undefined) return String(option.const)
  return `${option.type ?? 'value'}${option.minimum !== undefined ? ` ${option.minimum}..${option.maximum ?? ''}` : ''}`
}

type IntegerSchema = TSchema & { type?: string, anyOf?: Array<AllowedValue & { type?: string }>, minimum?: number, maximum?: number }
const schemaOf = (key: string): IntegerSchema => (ConfigSchema.properties as Record<string, IntegerSchema>)[key]
const acceptsInteger = (key: string): boolean => {
  const schema = schemaOf(key)
  return schema?.type === 'integer' || (schema?.anyOf ?? []).some(o => o.type === 'integer')
}
function describeInteger (key: string): string {
  const schema = schemaOf(key)
  const integer = schema.type === 'integer' ? schema : (schema.anyOf ?? []).find(o => o.type === 'integer')
  const others = (schema.anyOf ?? []).filter(o => o.const !== undefined).map(o => String(o.const))
  const range = integer?.minimum !== undefined ? ` ${integer.minimum}..${integer.maximum ?? ''}` : ''
  return ` (allowed: integer${range}${others.length > 0 ? `, ${others.join(', ')}` : ''})`
}

/** Reads the variables the schema knows from an environment, applies defaults, and validates them. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const known: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') known[key] = value
  }
  if (known.TFJS_BACKEND !== undefined) {
    if (known.INFERENCE_BACKEND !== undefined && known.INFERENCE_BACKEND !== known.TFJS_BACKEND) {
      throw new ConfigError([`INFERENCE_BACKEND=${String(known.INFERENCE_BACKEND)} and TFJS_BACKEND=${String(known.TFJS_BACKEND)} disagree: set INFERENCE_BACKEND only (TFJS_BACKEND is its former name).`])
    }
    known.INFERENCE_BACKEND = known.TFJS_BACKEND
  }
  // TypeBox's Convert truncates "1.5" to 1 for an integer: a setting that is not a whole number is refused instead.
  const fractional = Object.entries(known).filter(([key, raw]) => acceptsInteger(key) && typeof raw === 'string' && /^\s*[-+]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][-+]?\d+)\s*$/.test(raw) && !Number.isInteger(Number(raw)))
  if (fractional.length > 0) {
    throw new ConfigError(fractional.map(([key, raw]) => `${key}=${JSON.stringify(raw)}: must be a whole number${describeInteger(key)}`))
  }
  const value = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, known)) as Record<string, unknown>
  if (!Value.Check(ConfigSchema, value)) {
    // Variable by variable: TypeBox stops gathering errors at 8, and one bad union value alone yields that many.
    const problems = new Map<string, string>()
    const properties = ConfigSchema.properties as Record<string, TSchema & { anyOf?: AllowedValue[] }>
    for (const [key, schema] of Object.entries(properties)) {
      if (value[key] === undefined || Value.Check(schema, value[key])) continue
      const [error] = Value.Errors(schema, value[key])
      const allowed = schema.anyOf ? ` (allowed: ${schema.anyOf.map(describeAllowed).join(', ')})` : ''
      problems.set(key, `${key}=${JSON.stringify(known[key])}: ${error?.message ?? 'invalid'}${allowed}`)
    }
    throw new ConfigError([...problems.values()])
  }
  const config = value as Config
  if (config.SHUTDOWN_DELAY_MS >= config.SHUTDOWN_TIMEOUT_MS) {
    throw new ConfigError([`SHUTDOWN_DELAY_MS=${config.SHUTDOWN_DELAY_MS} must be less than SHUTDOWN_TIMEOUT_MS=${config.SHUTDOWN_TIMEOUT_MS}: the delay is part of the shutdown.`])
  }
  const problems: string[] = []
  problems.push(...originProblems(config.CORS_ORIGINS), ...keyProblems('API_KEYS', parseList(config.API_KEYS)), ...proxyProblems(config.TRUST_PROXY))
  if (problems.length > 0) throw new ConfigError(problems)
  return config
}

/** A comma-separated setting as its non-empty items, trimmed. */
export function parseList (value: string): string[] {
  return value.split(',').map(item => item.trim()).filter(item => item !== '')
}

function originProblems (value: string): string[] {
  const origins = parseList(value)
  if (origins.includes('*')) return origins.length === 1 ? [] : [`CORS_ORIGINS=${JSON.stringify(value)}: * allows every origin and cannot be combined with a list`]
  return origins.filter(origin => {
    try {
      const url = new URL(origin)
      return !['http:', 'https:'].includes(url.protocol) || url.origin !== origin
    } catch {
      return true
    }
  }).map(origin => `CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin: write scheme://host[:port], without a path or a trailing slash (e.g. https://app.example.com)`)
}

export const API_KEY_PATTERN = /^[\x21-\x2b\x2d-\x7e]{16,256}$/

/** Keys are secrets: a problem names where the key is and why it is refused, never the key. */
export function keyProblems (source: string, keys: string[]): string[] {
  return keys.flatMap((key, i) => API_KEY_PATTERN.test(key) ? [] : [`${source}: key ${i + 1} is refused: a key is 16 to 256 printable ASCII characters without spaces or commas`])
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function proxyProblems (value: string): string[] {
  return parseList(value).filter(entry => {
    if (PROXY_NAMES.has(entry)) return false
    const [address, bits, ...rest] = entry.split('/')
    const version = isIP(address ?? '')
    if (version === 0 || rest.length > 0) return true
    if (bits === undefined) return false
    const n = Number(bits)
    return !/^\d+$/.test(bits) || n > (version === 4 ? 32 : 128)
  }).map(entry => `TRUST_PROXY: ${JSON.stringify(entry)} is not an address, a CIDR range, loopback, linklocal or uniquelocal`)
}
