import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import t, { type Test } from 'tap'
import { projectRoot } from '../../services/common/project.js'
import { build, readFixture } from '../helper.js'

// The swap test below loads and warms up full-size models five times on the main thread, under load: minutes on a
// busy 2-core machine, more than the suite's 180 s per file.
t.setTimeout(600_000)

const TOKEN = 'test-admin-token-0123456789'
const FOOD_3 = join(projectRoot, 'model/food')
const FOOD_2 = join(projectRoot, 'model/food-v2')

/** A repository of links to the shipped models: food/1 is food 2.0.0; `extra` is a flat directory (food 2.0.0). */
async function repository (t: Test): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'model-repository-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'food'))
  await symlink(FOOD_2, join(root, 'food/1'))
  await symlink(FOOD_2, join(root, 'extra'))
  return root
}

const auth = { authorization: `Bearer ${TOKEN}` }

t.test('repository control is refused without the token, and a refused request changes nothing', async t => {
  const root = await repository(t)
  const off = await build(t, { MODEL_REPOSITORY: root })
  const refusedOff = await off.inject({ method: 'POST', url: '/v2/repository/models/extra/load' })
  t.equal(refusedOff.statusCode, 403)
  t.match(refusedOff.json(), { statusCode: 403, code: 'FORBIDDEN', error: 'Repository control is off: set ADMIN_TOKEN to turn it on.' })

  const app = await build(t, { MODEL_REPOSITORY: root, ADMIN_TOKEN: TOKEN })
  const index = async () => (await app.inject({ method: 'POST', url: '/v2/repository/index', headers: auth })).json()
  const before = await index()
  t.same(before, [
    { name: 'extra', state: 'UNAVAILABLE', reason: 'not loaded' },
    { name: 'food', version: '1', state: 'READY', reason: '' }
  ])
  const attempts: Array<[string, Record<string, string>, number, string]> = [
    ['no header', {}, 401, 'UNAUTHORIZED'],
    ['not Bearer', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }, 401, 'UNAUTHORIZED'],
    ['wrong token', { authorization: 'Bearer not-the-token-0123456789' }, 403, 'FORBIDDEN'],
    ['the token with a character more', { authorization: `Bearer ${TOKEN}x` }, 403, 'FORBIDDEN']
  ]
  for (const [name, headers, status, code] of attempts) {
    for (const url of ['/v2/repository/models/extra/load', '/v2/repository/models/food/unload', '/v2/repository/index']) {
      const res = await app.inject({ method: 'POST', url, headers })
      t.equal(res.statusCode, status, `${name}: ${url}`)
      t.equal(res.json().code, code, `${name}: ${url}`)
    }
  }
  t.same(await index(), before, 'nothing loaded or unloaded')
  t.equal((await app.inject('/v2/models/extra')).statusCode, 404, 'extra is still not served')
  t.equal((await app.inject('/v2/models/food/ready')).statusCode, 200, 'food still is')

  const loaded = await app.inject({ method: 'POST', url: '/v2/repository/models/extra/load', headers: auth })
  t.equal(loaded.statusCode, 200)
  t.same(loaded.json(), { name: 'extra', state: 'READY', versions: ['1'] })
  t.same((await app.inject('/models')).json().models.map((m: { name: string, version: string, repositoryVersion: number }) => [m.name, m.version, m.repositoryVersion]), [['food', '2.0.0', 1], ['extra', '2.0.0', 1]])
  const unknown = await app.inject({ method: 'POST', url: '/v2/repository/models/dogs/load', headers: auth })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { code: 'MODEL_NOT_FOUND', error: /No model named 'dogs' in the repository/ })
})

t.test('swaps under steady load lose no request; an unloaded model answers 404; tensors come back to the baseline', { timeout: 600_000 }, async t => {
  const root = await repository(t)
  // Inference on the main thread: tf.memory() then counts every tensor of every version, exactly. The event-loop
  // guard is off, since warm-ups on the main thread block the loop by design.
  const app = await build(t, { MODEL_REPOSITORY: root, ADMIN_TOKEN: TOKEN, LOAD_MODELS: 'extra', INFERENCE_WORKERS: '0', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const photo = (await readFixture('images', 'flower.jpg')).toString('base64')
  const baseline = tf.memory().numTensors
  const stats = { sent: 0, answered: 0, failed: 0, byVersion: {} as Record<string, number>, extra: { ok: 0, notFound: 0, failed: 0 } }
  let extraUnloaded = false
  let running = true
  const failures: string[] = []

  async function client (i: number) {
    while (running) {
      stats.sent++
      if (i % 2 === 0) {
        const res = await app.inject({ method: 'POST', url: '/predict', payload: { image: photo } })
        if (res.statusCode === 200) {
          stats.answered++
          const version = /model;desc="food\/(\d+) ([\d.]+)"/.exec(String(res.headers['server-timing']))
          const key = version === null ? 'unknown' : `${version[1]} (${version[2]})`
          stats.byVersion[key] = (stats.byVersion[key] ?? 0) + 1
        } else {
          stats.failed++
          failures.push(`${res.statusCode} ${res.body}`)
        }
      } else {
        const res = await app.inject({ method: 'POST', url: '/v2/models/extra/infer', payload: { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [photo] }] } })
        if (res.statusCode === 200) {
          stats.answered++
          stats.extra.ok++
        } else if (res.statusCode === 404 && res.json().code === 'MODEL_NOT_FOUND' && extraUnloaded) {
          stats.answered++
          stats.extra.notFound++
        } else {
          stats.failed++
          stats.extra.failed++
          failures.push(`${res.statusCode} ${res.body}`)
        }
      }
    }
  }

  const admin = async (url: string) => {
    const res = await app.inject({ method: 'POST', url, headers: auth })
    t.equal(res.statusCode, 200, url)
    return res.json()
  }
  const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
  const clients = Array.from({ length: 4 }, (_, i) => client(i))
  await pause(300)
  const swaps: string[][] = []
  await symlink(FOOD_3, join(root, 'food/2'))
  swaps.push((await admin('/v2/repository/models/food/load')).versions)
  await pause(300)
  await symlink(FOOD_2, join(root, 'food/3'))
  swaps.push((await admin('/v2/repository/models/food/load')).versions)
  await pause(300)
  // From the unload request on, a 404 for extra is the expected answer.
  extraUnloaded = true
  t.same(await admin('/v2/repository/models/extra/unload'), { name: 'extra', state: 'UNAVAILABLE', versions: [] })
  await pause(300)
  await rm(join(root, 'food/3'))
  swaps.push((await admin('/v2/repository/models/food/load')).versions)
  await pause(300)
  t.same(await admin('/v2/repository/models/extra/load'), { name: 'extra', state: 'READY', versions: ['1'] })
  await pause(300)
  extraUnloaded = false
  await rm(join(root, 'food/2'))
  swaps.push((await admin('/v2/repository/models/food/load')).versions)
  await pause(300)
  running = false
  await Promise.all(clients)

  t.same(swaps, [['2'], ['3'], ['2'], ['1']], 'food swapped 1 -> 2 -> 3 -> 2 -> 1')
  t.comment(`swap test: ${JSON.stringify(stats)}`)
  t.same(failures, [], 'no failed request')
  t.equal(stats.failed, 0)
  t.equal(stats.answered, stats.sent, 'every request answered')
  for (const version of ['1 (2.0.0)', '2 (4.0.0)', '3 (2.0.0)']) t.ok(stats.byVersion[version] > 0, `version ${version} answered requests`)
  t.ok(stats.extra.notFound > 0, 'the unloaded model answered 404 MODEL_NOT_FOUND meanwhile')
  t.ok(stats.extra.ok > 0)
  t.same((await app.inject({ method: 'POST', url: '/v2/repository/index', headers: auth })).json(), [
    { name: 'extra', version: '1', state: 'READY', reason: '' },
    { name: 'food', version: '1', state: 'READY', reason: '' }
  ])
  t.equal(tf.memory().numTensors, baseline, 'the same versions loaded hold the same tensors: every released version let go of its own')
})
