import t from 'tap'
import { ServiceMetrics } from '../../../services/observability/metrics.js'

const food = { name: 'food', version: '1.2.3' }

/** The value of one sample line, e.g. `http_requests_total{...} 3`, or undefined when absent. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue
    const labelText = line.slice(name.length).split(' ')[0]
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1))
  }
  return undefined
}

t.test('requests are counted by method, route, status and error code, with their duration', async t => {
  const metrics = new ServiceMetrics({ backend: 'wasm', defaultMetrics: false })
  metrics.observeRequest({ method: 'POST', route: '/predict', statusCode: 200, code: '', seconds: 0.05 })
  metrics.observeRequest({ method: 'POST', route: '/predict', statusCode: 200, code: '', seconds: 0.07 })
  metrics.observeRequest({ method: 'POST', route: '/predict', statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', seconds: 0.001 })
  const text = await metrics.render()
  t.equal(sample(text, 'http_requests_total', { route: '/predict', status_code: '200', code: '' }), 2)
  t.equal(sample(text, 'http_requests_total', { status_code: '415', code: 'UNSUPPORTED_MEDIA_TYPE' }), 1)
  t.equal(sample(text, 'http_request_duration_seconds_count', { status_code: '200' }), 2)
  t.equal(sample(text, 'http_request_duration_seconds_bucket', { status_code: '200', le: '0.05' }), 1)
  t.equal(sample(text, 'http_request_duration_seconds_bucket', { status_code: '200', le: '0.1' }), 2)
  t.equal(metrics.contentType, 'text/plain; version=0.0.4; charset=utf-8')
})

t.test('in-flight requests go up and down', async t => {
  const metrics = new ServiceMetrics({ backend: 'wasm', defaultMetrics: false })
  metrics.requestStarted()
  metrics.requestStarted()
  metrics.requestEnded()
  t.equal(metrics.inFlight, 1)
  t.equal(sample(await metrics.render(), 'http_requests_in_flight'), 1)
})

t.test('stage timings (ms) become seconds in one histogram per stage, labelled with model, version and backend', async t => {
  const metrics = new ServiceMetrics({ backend: 'tensorflow', defaultMetrics: false })
  metrics.observeStages({ decode: 4, queue: 30, infer: 120 }, food)
  metrics.observeStages({ decode: 6, infer: 80 }, food)
  const text = await metrics.render()
  const labels = { model: 'food', version: '1.2.3', backend: 'tensorflow' }
  t.equal(sample(text, 'predict_stage_duration_seconds_count', { stage: 'decode', ...labels }), 2)
  t.equal(sample(text, 'predict_stage_duration_seconds_sum', { stage: 'decode', ...labels }), 0.01)
  t.equal(sample(text, 'predict_stage_duration_seconds_count', { stage: 'queue', ...labels }), 1, 'queue only when measured')
  t.equal(sample(text, 'predict_stage_duration_seconds_bucket', { stage: 'infer', le: '0.1', ...labels }), 1)
  t.equal(sample(text, 'predict_stage_duration_seconds_bucket', { stage: 'infer', le: '0.25', ...labels }), 2)
})

t.test('the batcher hooks: batch sizes and queue depth', async t => {
  const metrics = new ServiceMetrics({ backend: 'wasm', defaultMetrics: false })
  metrics.setModels([{ ...food, sha256: 'abc' }])
  t.equal(sample(await metrics.render(), 'inference_queue_depth', { model: 'food' }), 0, 'a served model starts with an empty queue')
  for (const size of [1, 3, 8, 8]) metrics.observeBatch(size, food)
  metrics.setQueueDepth(5, food)
  const text = await metrics.render()
  t.equal(sample(text, 'inference_batch_size_count', { model: 'food', backend: 'wasm' }), 4)
  t.equal(sample(text, 'inference_batch_size_sum', { model: 'food' }), 20)
  t.equal(sample(text, 'inference_batch_size_bucket', { model: 'food', le: '4' }), 2)
  t.equal(sample(text, 'inference_queue_depth', { model: 'food', version: '1.2.3', backend: 'wasm' }), 5)
  t.equal(sample(text, 'model_info', { model: 'food', version: '1.2.3', backend: 'wasm', sha256: 'abc' }), 1)
})

t.test('TF.js tensors and bytes are read at scrape time, from a source that can be replaced', async t => {
  let memory = { numTensors: 10, numBytes: 4000 }
  const metrics = new ServiceMetrics({ backend: 'wasm', defaultMetrics: false, tensorMemory: () => memory })
  t.equal(sample(await metrics.render(), 'tfjs_tensors', { backend: 'wasm' }), 10)
  memory = { numTensors: 12, numBytes: 5000 }
  t.equal(sample(await metrics.render(), 'tfjs_memory_bytes', { backend: 'wasm' }), 5000)
  metrics.setTensorMemorySource(async () => ({ numTensors: 99, numBytes: 1 }))
  t.equal(sample(await metrics.render(), 'tfjs_tensors'), 99)
})

t.test('by default the real TF.js engine is read, and process metrics with event-loop delay are exported', async t => {
  const metrics = new ServiceMetrics({ backend: 'cpu' })
  const text = await metrics.render()
  t.ok(sample(text, 'tfjs_tensors') !== undefined)
  for (const name of ['process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
    t.ok(sample(text, name) !== undefined, name)
  }
})

t.test('each instance has its own registry: two apps in one process do not clash', async t => {
  const a = new ServiceMetrics({ backend: 'wasm' })
  const b = new ServiceMetrics({ backend: 'wasm' })
  a.observeRequest({ method: 'GET', route: '/', statusCode: 200, code: '', seconds: 0.001 })
  t.equal(sample(await a.render(), 'http_requests_total'), 1)
  t.equal(sample(await b.render(), 'http_requests_total'), undefined)
})
