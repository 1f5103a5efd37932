import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

/** The value of one sample line whose labels include `labels`, or undefined when absent. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue
    const labelText = line.slice(name.length, line.lastIndexOf(' '))
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

t.test('GET /metrics: requests by route, status and error code, stage histograms, in-flight, TF.js memory, model labels', async t => {
  const app = await build(t)
  const photo = await readFixture('images', 'flower.jpg')
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/predict', payload: 'hello', headers: { 'content-type': 'text/plain' } })).statusCode, 415)
  t.equal((await app.inject('/models/dogs')).statusCode, 404)
  t.equal((await app.inject('/no/such/route/42')).statusCode, 404)

  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  const text = res.body
  const { name, version } = app.models.default
  const model = { model: name, version, backend: 'wasm' }

  t.equal(sample(text, 'http_requests_total', { method: 'POST', route: '/predict', status_code: '200', code: '' }), 2)
  t.equal(sample(text, 'http_requests_total', { route: '/predict', status_code: '415', code: 'UNSUPPORTED_MEDIA_TYPE' }), 1)
  t.equal(sample(text, 'http_requests_total', { route: '/models/:name', status_code: '404', code: 'MODEL_NOT_FOUND' }), 1, 'the route pattern, not the URL')
  t.equal(sample(text, 'http_requests_total', { route: 'not_found', status_code: '404', code: 'NOT_FOUND' }), 1, 'unknown URLs share one label')
  t.notMatch(text, '/no/such/route')
  t.equal(sample(text, 'http_request_duration_seconds_count', { route: '/predict', status_code: '200' }), 2)

  for (const stage of ['decode', 'queue', 'infer']) {
    t.equal(sample(text, 'predict_stage_duration_seconds_count', { stage, ...model }), 2, `${stage} observed for each prediction`)
    t.ok(sample(text, 'predict_stage_duration_seconds_sum', { stage, ...model })! > 0)
  }
  t.equal(sample(text, 'inference_batch_size_count', model), 2, 'each batch run is observed')
  t.equal(sample(text, 'inference_queue_depth', model), 0)
  t.match(text, '# TYPE inference_batch_size histogram')
  t.equal(sample(text, 'http_requests_in_flight'), 1, 'the scrape itself is in flight')
  t.ok(sample(text, 'tfjs_tensors', { backend: 'wasm' })! > 0, 'the model weights are tensors')
  t.ok(sample(text, 'tfjs_memory_bytes', { backend: 'wasm' })! > 1_000_000)
  t.equal(sample(text, 'model_info', { ...model, sha256: app.models.default.digest }), 1)
  t.ok(sample(text, 'nodejs_eventloop_lag_p99_seconds')! >= 0, 'event-loop delay')

  const after = (await app.inject('/metrics')).body
  t.equal(sample(after, 'http_requests_total', { route: '/metrics', status_code: '200' }), 1, 'the first scrape is counted')
  t.equal(sample(after, 'http_requests_in_flight'), 1, 'finished requests left the in-flight gauge')
})

t.test('two apps in one process keep separate metrics', async t => {
  const a = await build(t)
  const b = await build(t)
  await a.inject('/')
  const sampleOf = async (app: typeof a) => sample((await app.inject('/metrics')).body, 'http_requests_total', { route: '/' })
  t.equal(await sampleOf(a), 1)
  t.equal(await sampleOf(b), undefined)
})
