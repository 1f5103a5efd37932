import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

t.test('a full queue answers 503 QUEUE_FULL with Retry-After, and every accepted request is answered', async t => {
  // The queue's own cap, behind admission control (off here; test/plugins/admission.test.ts covers it).
  const app = await build(t, { MAX_QUEUE: '1', MAX_BATCH_SIZE: '1', ADMISSION_LIMIT: 'off' })
  const photo = await readFixture('images', 'flower.jpg')
  const expected = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
  const responses = await Promise.all(Array.from({ length: 12 }, () => app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })))
  const ok = responses.filter(r => r.statusCode === 200)
  const refused = responses.filter(r => r.statusCode === 503)
  t.equal(ok.length + refused.length, 12, 'every request is either answered or refused')
  t.ok(ok.length >= 1 && refused.length >= 1, `${ok.length} answered, ${refused.length} refused`)
  t.ok(ok.every(r => r.json().label === expected.label && r.json().probability === expected.probability), 'answers are unaffected by the load')
  for (const r of refused) {
    t.match(r.json(), { statusCode: 503, error: 'Service Unavailable', code: 'QUEUE_FULL', message: /MAX_QUEUE/ })
    t.match(r.headers['retry-after'], /^[1-9]\d*$/)
  }
})

t.test('a deadline that cannot be met is refused at once with 503 DEADLINE_EXCEEDED', async t => {
  const app = await build(t)
  const photo = await readFixture('images', 'flower.jpg')
  const res = await app.inject({ method: 'POST', url: '/predict', headers: { ...imageFile(photo).headers, 'x-request-timeout-ms': '1' }, payload: imageFile(photo).payload })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'DEADLINE_EXCEEDED' })
  t.ok(res.headers['retry-after'])
  const generous = await app.inject({ method: 'POST', url: '/predict', headers: { ...imageFile(photo).headers, 'x-request-timeout-ms': '20000' }, payload: imageFile(photo).payload })
  t.equal(generous.statusCode, 200)
  const bad = await app.inject({ method: 'POST', url: '/predict', headers: { ...imageFile(photo).headers, 'x-request-timeout-ms': 'soon' }, payload: imageFile(photo).payload })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_ERROR', message: /x-request-timeout-ms/ })
})

t.test('a worker that dies mid-request is replaced and the request still answered', async t => {
  const app = await build(t, { INFERENCE_WORKERS: '1' })
  const photo = await readFixture('images', 'flower.jpg')
  const expected = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
  const [runner] = app.models.default.workerRunners
  const inFlight = app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
  await new Promise(resolve => setTimeout(resolve, 30))
  await runner.crash()
  const res = await inFlight
  t.equal(res.statusCode, 200)
  t.equal(res.json().probability, expected.probability)
  t.equal(runner.restarts, 1, 'the worker was restarted')
  const after = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
  t.equal(after.statusCode, 200, 'and serves the next request')
})
