import { copyFile, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import app, { serverOptions } from '../../app.js'
import { loadConfig } from '../../services/common/config.js'
import { cachePaths } from '../../services/engines/onnx/prepare.js'
import { captureLogs, fixture, imageFile, readFixture } from '../helper.js'

/**
 * Faults of the ONNX cache an operator meets, reproduced from outside and checked through HTTP: a record cut by a
 * crash or a full disk, a temp file left by a killed conversion, the cached graph removed under a running service
 * (a tmp cleaner) before its workers restart, and a cache directory that cannot be written.
 */

const photos = await mkdtemp(join(tmpdir(), 'fault-photos-'))
t.teardown(() => rm(photos, { recursive: true, force: true }))
// One check photo keeps each conversion short; the service's own check uses eight.
for (const label of ['food']) {
  await mkdir(join(photos, label))
  const [first] = (await readdir(fixture('photos', label))).filter(f => f.endsWith('.jpg')).sort()
  await copyFile(fixture('photos', label, first), join(photos, label, first))
}
const cacheDir = await mkdtemp(join(tmpdir(), 'fault-cache-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))

async function boot (t: Test, env: Record<string, string> = {}) {
  const config = loadConfig({ INFERENCE_BACKEND: 'onnxruntime', INFERENCE_WORKERS: '1', ONNX_CACHE_DIR: cacheDir, ONNX_CHECK_PHOTOS: photos, ONNX_PRECISION: 'fp32', ...env })
  const logs = captureLogs()
  const server = Fastify({ ...serverOptions(config), logger: { level: 'info', stream: logs.stream } })
  t.teardown(() => server.close())
  await server.register(app, { config })
  await server.ready()
  return { server, lines: logs.lines }
}

const photo = imageFile(await readFixture('images/flower.jpg'))
const predict = async (server: Awaited<ReturnType<typeof boot>>['server']) => server.inject({ method: 'POST', url: '/predict', payload: photo.payload, headers: photo.headers })
const warnings = (lines: Array<Record<string, unknown>>) => lines.filter(l => l.level === 40).map(l => String(l.msg))

t.test('a damaged cache record: converted again, served on onnxruntime, one warning naming the file', async t => {
  const first = await boot(t)
  t.equal(first.server.backend.name, 'onnxruntime')
  const expected = (await predict(first.server)).json()
  const digest = first.server.models.default.digest
  await first.server.close()
  const { record, model } = cachePaths(cacheDir, digest)
  t.ok((await stat(model)).size > 0, 'the conversion was cached')

  // A stale temp file of a conversion killed earlier, older than this process.
  const stale = `${model}.4242.1700000000000.tmp`
  await writeFile(stale, Buffer.alloc(1024))
  await utimes(stale, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000))

  // Cut mid-write, as a crash or a full disk left it before records were written atomically ('' parses no better).
  for (const damage of ['cut'] as const) {
    await writeFile(record, '{"inputName": "input", "outputName": "out')
    const again = await boot(t, { INFERENCE_BACKEND: 'onnxruntime' })
    t.equal(again.server.backend.name, 'onnxruntime', `${damage} record: still onnxruntime, not wasm, not exit 1`)
    const ready = await again.server.inject('/health/ready')
    t.equal(ready.statusCode, 200)
    const res = await predict(again.server)
    t.equal(res.statusCode, 200)
    t.same(res.json().label, expected.label)
    const about = warnings(again.lines).filter(m => m.includes(record))
    t.equal(about.length, 1, `${damage} record: one warning naming ${record}: ${about.join(' | ')}`)
    t.match(about[0], /damaged.*converting again/)
    await again.server.close()
    t.notOk(await stat(stale).catch(() => undefined), 'the stale temp file was removed at boot')
  }
  t.same((await readdir(cacheDir)).filter(f => f.endsWith('.tmp')), [], 'no temp file left behind')
})

t.test('the cached graph removed under a running service, then its worker killed: it serves again, the same answers', async t => {
  const { server, lines } = await boot(t, { INFERENCE_WORKERS: '1' })
  const before = (await predict(server)).json()
  const { model } = cachePaths(cacheDir, server.models.default.digest)
  await rm(model)
  const started = performance.now()
  await server.models.default.workerRunners[0].crash()
  let res = await predict(server)
  while (res.statusCode !== 200 && performance.now() - started < 15_000) {
    t.not(res.statusCode, 500, 'never a 500')
    await new Promise(resolve => setTimeout(resolve, 200))
    res = await predict(server)
  }
  t.equal(res.statusCode, 200, `served again after ${Math.round(performance.now() - started)} ms`)
  t.same(res.json(), before, 'the same answer: the worker got the graph from memory, not from the removed file')
  t.equal((await server.inject('/health/ready')).statusCode, 200)
  const metrics = (await server.inject('/metrics')).body
  t.match(metrics, /inference_worker_deaths_total\{model="food",version="4.0.0",backend="onnxruntime"\} 1/)
  t.match(metrics, /inference_worker_restarts_total\{model="food",version="4.0.0",backend="onnxruntime"\} 1/)
  t.ok(warnings(lines).some(m => /inference worker worker-0 of food version 1 died/.test(m)), 'the death logged at warn')
})

t.test('a cache directory that cannot be written: the checked conversion is served from memory, with a warning', async t => {
  const notADirectory = join(cacheDir, 'a-file')
  await writeFile(notADirectory, 'x')
  const { server, lines } = await boot(t, { ONNX_CACHE_DIR: join(notADirectory, 'cache') })
  t.equal(server.backend.name, 'onnxruntime', 'onnxruntime, not a 4x slower fallback')
  t.equal((await predict(server)).statusCode, 200)
  t.ok(warnings(lines).some(m => /ONNX cache .* cannot be written \(ENOTDIR|EEXIST\): serving the checked conversion from memory/.test(m)), warnings(lines).join(' | '))
})
