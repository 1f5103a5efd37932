import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../../services/common/project.js'
import { build, fixture, imageFile, readFixture } from '../../helper.js'

/**
 * Worker faults, reproduced from outside and checked through HTTP: a worker killed under load, a worker that cannot
 * start again (WorkerRunner.crash({ failStarts }), the documented test hook), and files changed in place under a
 * served version before its worker restarts.
 */

const photo = imageFile(await readFixture('images/flower.jpg'))
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('a worker killed under load: every request is answered 200, or 503 with Retry-After, never 500', async t => {
  const app = await build(t, { INFERENCE_WORKERS: '1', MAX_BATCH_SIZE: '1' })
  const runner = app.models.default.workerRunners[0]
  const requests = Array.from({ length: 32 }, () => app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: photo.headers }))
  await sleep(100)
  await runner.crash()
  await sleep(1500)
  await runner.crash()
  const answers = await Promise.all(requests)
  const statuses = answers.map(a => a.statusCode)
  t.same(statuses.filter(s => s !== 200 && s !== 503), [], `statuses: ${statuses.join(' ')}`)
  for (const a of answers.filter(a => a.statusCode === 503)) {
    t.ok(Number(a.headers['retry-after']) >= 1, 'a refusal says when to retry')
    // WORKER_FAILED or MODEL_UNAVAILABLE; on a loaded machine the queue may refuse for the deadline first.
    t.match(a.json().code, /^(WORKER_FAILED|MODEL_UNAVAILABLE|DEADLINE_EXCEEDED|QUEUE_FULL)$/)
  }
  const metrics = (await app.inject('/metrics')).body
  // The second kill may find the worker still starting: a failed start then, not a death.
  t.match(metrics, /inference_worker_deaths_total\{model="food",version="4.0.0",backend="wasm"\} [12]\n/)
  t.match(metrics, /inference_worker_restarts_total\{model="food",version="4.0.0",backend="wasm"\} 2\n/)
})

t.test('a worker that cannot start again: not ready, 503 MODEL_UNAVAILABLE with Retry-After, idle between tries, and it recovers by itself', async t => {
  const app = await build(t, { INFERENCE_WORKERS: '1' })
  t.equal((await app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: photo.headers })).statusCode, 200)
  const runner = app.models.default.workerRunners[0]
  // The next three starts fail: the first is tried again at once, the second after 1 s, the third after 2 s.
  await runner.crash({ failStarts: 3 })
  const down = performance.now()
  while ((await app.inject('/health/ready')).statusCode === 200 && performance.now() - down < 30_000) await sleep(50)
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503, '/health/ready fails while no worker runs')
  t.equal((await app.inject('/v2/health/ready')).statusCode, 503)
  t.equal((await app.inject('/v2/models/food/ready')).statusCode, 503, 'V2 model-ready fails too')
  const refused = await app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: photo.headers })
  t.equal(refused.statusCode, 503)
  t.match(refused.json(), { code: 'MODEL_UNAVAILABLE', message: /injected start failure/ })
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with Retry-After')

  const started = performance.now()
  while ((await app.inject('/health/ready')).statusCode !== 200 && performance.now() - started < 40_000) await sleep(200)
  t.equal((await app.inject('/health/ready')).statusCode, 200, `ready again by itself after ${Math.round(performance.now() - started)} ms`)
  t.equal((await app.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: photo.headers })).statusCode, 200)
  const metrics = (await app.inject('/metrics')).body
  t.match(metrics, /inference_worker_start_failures_total\{model="food",version="4.0.0",backend="wasm"\} 3/)
  t.match(metrics, /inference_worker_restarts_total\{model="food",version="4.0.0",backend="wasm"\} 4/)
})

t.test('files changed in place under a served version: a restarted worker serves the version as loaded; an explicit load picks the change up', async t => {
  const repository = await mkdtemp(join(tmpdir(), 'changed-files-'))
  t.teardown(() => rm(repository, { recursive: true, force: true }))
  const version = join(repository, 'food', '1')
  await mkdir(version, { recursive: true })
  const files = ['manifest.json', 'model.json', 'group1-shard1of1.bin']
  for (const f of files) await copyFile(join(projectRoot, 'model/food-v2', f), join(version, f))
  const token = 'fault-test-admin-token'
  const app = await build(t, { MODEL_REPOSITORY: repository, INFERENCE_WORKERS: '1', ADMIN_TOKEN: token })

  const photos = (await readdir(fixture('photos/food'))).filter(f => f.endsWith('.jpg')).sort().slice(0, 4).map(f => fixture('photos/food', f))
    .concat((await readdir(fixture('photos/not_food'))).filter(f => f.endsWith('.jpg')).sort().slice(0, 4).map(f => fixture('photos/not_food', f)))
  const answers = async () => Promise.all(photos.map(async p => {
    const upload = imageFile(await readFixture(p.slice(fixture().length + 1)))
    const res = await app.inject({ method: 'POST', url: '/predict', payload: upload.payload, headers: upload.headers })
    t.equal(res.statusCode, 200)
    return { version: res.headers['x-model-version'] ?? app.models.default.version, ...res.json() as { label: string, predictions: unknown } }
  }))
  const before = await answers()

  // Another model's files, copied over the served version's (an rsync or a git pull into the repository).
  for (const f of files) await copyFile(join(projectRoot, 'model/food', f), join(version, f))
  await app.models.default.workerRunners[0].crash()
  const started = performance.now()
  while ((await app.inject('/health/ready')).statusCode !== 200 && performance.now() - started < 10_000) await sleep(100)
  const after = await answers()
  t.same(after, before, 'the same labels and probabilities, at the same reported version (2.0.0)')
  t.equal(app.models.default.version, '2.0.0')

  const load = await app.inject({ method: 'POST', url: '/v2/repository/models/food/load', headers: { authorization: `Bearer ${token}` } })
  t.equal(load.statusCode, 200)
  t.equal(app.models.default.version, '4.0.0', 'an explicit load serves the files now on disk')
})
