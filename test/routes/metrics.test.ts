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

t.test('GET /metrics: answer quality and input mix per model and version', async t => {
  const app = await build(t)
  const photos = ['flower.jpg', 'flower.jpg', 'flower-alpha.png', 'flower-exif-orientation-6.jpg']
  const answers = []
  for (const photo of photos) {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', photo)) })
    t.equal(res.statusCode, 200)
    answers.push(res.json() as { label: string, probability: number, uncertain: boolean })
  }
  t.equal((await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower-truncated.jpg')) })).statusCode, 422)
  const text = (await app.inject('/metrics')).body
  const { name, version } = app.models.default
  const model = { model: name, version, backend: 'wasm' }

  t.equal(sample(text, 'prediction_top_probability_count', model), 4, 'one observation per image answered, none for the refused one')
  t.ok(Math.abs(sample(text, 'prediction_top_probability_sum', model)! - answers.reduce((n, a) => n + a.probability, 0)) < 1e-6, 'the sum of the answered probabilities')
  t.equal(sample(text, 'prediction_top_probability_bucket', { ...model, le: '+Inf' }), 4)
  for (const label of new Set(answers.map(a => a.label))) {
    t.equal(sample(text, 'prediction_answers_total', { ...model, label }), answers.filter(a => a.label === label).length, `answers labelled ${label}`)
  }
  t.equal(sample(text, 'prediction_uncertain_total', model), answers.filter(a => a.uncertain).length)
  t.equal(sample(text, 'prediction_inputs_total', { ...model, format: 'jpeg' }), 3, 'by format')
  t.equal(sample(text, 'prediction_inputs_total', { ...model, format: 'png' }), 1)
  t.match(text, /prediction_inputs_total\{[^}]*size="le_(0\.1|1|4|16)mp"/, 'by size bucket')
  t.equal(sample(text, 'prediction_input_warnings_total', { ...model, warning: 'alpha' }), 1, 'warnings by kind')
  t.equal(sample(text, 'prediction_input_warnings_total', { ...model, warning: 'rotated' }), 1)
  t.equal(sample(text, 'response_cache_lookups_total', model), undefined, 'no cache series with the cache off')
})

t.test('two apps in one process keep separate metrics', async t => {
  const a = await build(t)
  const b = await build(t)
  await a.inject('/')
  const sampleOf = async (app: typeof a) => sample((await app.inject('/metrics')).body, 'http_requests_total', { route: '/' })
  t.equal(await sampleOf(a), 1)
  t.equal(await sampleOf(b), undefined)
})
