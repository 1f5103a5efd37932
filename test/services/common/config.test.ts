import t from 'tap'
import { ConfigError, loadConfig } from '../../../services/common/config.js'

t.test('defaults apply when the environment says nothing', async t => {
  const config = loadConfig({})
  t.equal(config.PORT, 3000)
  t.equal(config.HOST, '0.0.0.0')
  t.equal(config.INFERENCE_BACKEND, 'auto')
  t.equal(config.MAX_UPLOAD_BYTES, 10 * 1024 * 1024)
  t.equal(config.MAX_PIXELS, 50_000_000)
  t.match(config.MODEL_REPOSITORY, /model$/)
  t.equal(config.MODEL_DIR, undefined)
  t.equal(config.DEFAULT_MODEL, 'food')
  t.equal(config.VERSION_POLICY, 'latest')
  t.equal(config.MAX_IMAGES_PER_REQUEST, 16)
  t.equal(config.ADMIN_TOKEN, undefined)
})

t.test('strings from the environment are converted to the schema types', async t => {
  const config = loadConfig({ PORT: '8080', DOCS_ENABLED: 'false', MAX_PIXELS: '1000', INFERENCE_BACKEND: 'cpu', UNRELATED: 'x' })
  t.equal(config.PORT, 8080)
  t.equal(config.DOCS_ENABLED, false)
  t.equal(config.MAX_PIXELS, 1000)
  t.equal(config.INFERENCE_BACKEND, 'cpu')
  t.notOk('UNRELATED' in config)
})

t.test('TFJS_BACKEND, the former name of INFERENCE_BACKEND, still works; the two may not disagree', async t => {
  t.equal(loadConfig({ TFJS_BACKEND: 'wasm' }).INFERENCE_BACKEND, 'wasm')
  t.equal(loadConfig({ TFJS_BACKEND: 'wasm', INFERENCE_BACKEND: 'wasm' }).INFERENCE_BACKEND, 'wasm')
  t.throws(() => loadConfig({ TFJS_BACKEND: 'wasm', INFERENCE_BACKEND: 'onnxruntime' }), { message: /INFERENCE_BACKEND=onnxruntime and TFJS_BACKEND=wasm disagree/ })
  t.throws(() => loadConfig({ TFJS_BACKEND: 'gpu' }), { message: /INFERENCE_BACKEND="gpu".*allowed: auto, tensorflow-gpu, webgpu, onnxruntime/ })
})

t.test('bad values stop the boot with every variable named and the allowed values listed', async t => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', INFERENCE_BACKEND: 'gpu', MAX_UPLOAD_BYTES: '10' })) as ConfigError
  t.type(err, ConfigError)
  t.equal(err.problems.length, 3)
  t.match(err.message, /PORT="eighty": must be integer/)
  t.match(err.message, /INFERENCE_BACKEND="gpu".*allowed: auto, tensorflow-gpu, webgpu, onnxruntime, tensorflow, wasm, cpu/)
  t.match(err.message, /MAX_UPLOAD_BYTES=10: must be >= 1024/)
})

t.test('the shutdown delay defaults to none, the timeout to 30 s, and the delay must fit in the timeout', async t => {
  const config = loadConfig({})
  t.equal(config.SHUTDOWN_DELAY_MS, 0)
  t.equal(config.SHUTDOWN_TIMEOUT_MS, 30_000)
  t.equal(loadConfig({ SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '30000' }).SHUTDOWN_DELAY_MS, 5000)
  const err = t.throws(() => loadConfig({ SHUTDOWN_DELAY_MS: '30000' })) as ConfigError
  t.type(err, ConfigError)
  t.match(err.message, /SHUTDOWN_DELAY_MS=30000 must be less than SHUTDOWN_TIMEOUT_MS=30000/)
  t.throws(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '10' }), { message: /SHUTDOWN_TIMEOUT_MS=10: must be >= 1000/ })
})

t.test('the settings for the open internet are off by default and checked at boot', async t => {
  const config = loadConfig({})
  t.equal(config.CORS_ORIGINS, '')
  t.equal(config.API_KEYS, '')
  t.equal(config.API_KEYS_FILE, '')
  t.equal(config.RATE_LIMIT_MAX, 0)
  t.equal(config.RATE_LIMIT_WINDOW_MS, 60_000)
  t.equal(config.TRUST_PROXY, '')
  t.equal(config.BODY_TIMEOUT_MS, 30_000)
  t.equal(config.HEADERS_TIMEOUT_MS, 10_000)
  t.equal(config.KEEP_ALIVE_TIMEOUT_MS, 72_000)
  t.equal(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1, fd00::/8' }).TRUST_PROXY, 'loopback, 10.0.0.0/8, ::1, fd00::/8')
  const err = t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path', TRUST_PROXY: 'proxy.local', RATE_LIMIT_MAX: '-1', API_KEYS: 'has space in it 123' }))
  t.ok(err instanceof ConfigError)
  t.match((err as ConfigError).message, /RATE_LIMIT_MAX=-1: must be >= 0/)
  t.notMatch((err as ConfigError).message, 'has space', 'a refused key is not echoed')
  const checks = t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path', TRUST_PROXY: 'proxy.local', API_KEYS: 'has space in it 123' })) as ConfigError
  t.same(checks.problems, [
    'CORS_ORIGINS: "https://a.example/path" is not an origin: write scheme://host[:port], without a path or a trailing slash (e.g. https://app.example.com)',
    'API_KEYS: key 1 is refused: a key is 16 to 256 printable ASCII characters without spaces or commas',
    'TRUST_PROXY: "proxy.local" is not an address, a CIDR range, loopback, linklocal or uniquelocal'
  ])
})

t.test('BOOT_TIMEOUT_MS is Fastify\'s plugin timeout: how long the model may take to load and be checked', async t => {
  const { serverOptions } = await import('../../../app.js')
  t.equal(serverOptions(loadConfig({})).pluginTimeout, 120_000, 'two minutes by default, as the startupProbe')
  t.equal(serverOptions(loadConfig({ BOOT_TIMEOUT_MS: '600000' })).pluginTimeout, 600_000)
  t.throws(() => loadConfig({ BOOT_TIMEOUT_MS: '10' }), ConfigError)
})

t.test('a fractional value of an integer setting is refused, not truncated', async t => {
  t.throws(() => loadConfig({ INFERENCE_WORKERS: '1.5' }), { message: /INFERENCE_WORKERS="1.5": must be a whole number \(allowed: integer 0\.\.64, auto\)/ })
  t.throws(() => loadConfig({ MAX_QUEUE: '2.0001' }), { message: /MAX_QUEUE="2.0001": must be a whole number \(allowed: integer 1\.\.\)/ })
  t.throws(() => loadConfig({ PORT: '80.5' }), { message: /PORT="80.5": must be a whole number/ })
  t.equal(loadConfig({ INFERENCE_WORKERS: '2' }).INFERENCE_WORKERS, 2)
  t.equal(loadConfig({ MAX_QUEUE: '2.0' }).MAX_QUEUE, 2, 'a whole number written with a decimal point is one')
})
