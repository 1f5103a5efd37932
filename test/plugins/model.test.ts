import Fastify from 'fastify'
import * as tf from '@tensorflow/tfjs'
import t from 'tap'
import config from '../../plugins/config.js'
import model from '../../plugins/model.js'
import { buildTinyModel } from '../helper.js'

/** Returned inside an object: a Fastify instance is thenable, and returning it from an async function would boot it. */
function modelApp (env: Record<string, string>) {
  // The server's own plugin timeout (app.ts options): starting worker threads on a busy 2-core machine can take
  // longer than Fastify's default 10 s.
  const app = Fastify({ logger: false, pluginTimeout: 120_000 })
  app.register(config, { env })
  app.register(model)
  return { app }
}

t.test('the model plugin selects a backend, loads and warms up the model, and releases it on close', async t => {
  const dir = await buildTinyModel(t)
  const before = tf.memory().numTensors
  const { app } = modelApp({ MODEL_DIR: dir, INFERENCE_BACKEND: 'auto', INFERENCE_WORKERS: '0' })
  await app.ready()
  t.equal(app.backend.name, 'wasm')
  t.equal(app.backend.forced, false)
  t.same(app.backend.skipped.map(s => s.name), ['tensorflow-gpu', 'webgpu', 'onnxruntime', 'tensorflow'])
  t.match(app.backend.skipped[2].reason, /is a layers model; the ONNX converter takes graph models/)
  t.equal(app.models.default.name, 'tiny')
  t.same(app.models.default.settings, { workers: 0, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 64 })
  t.ok(tf.memory().numTensors > before, 'weights are held on the main thread while the app runs')
  await app.close()
  t.equal(tf.memory().numTensors, before, 'and released on close')
})

t.test('a forced backend that cannot load stops the boot with a clear message', async t => {
  const { app } = modelApp({ MODEL_DIR: await buildTinyModel(t), INFERENCE_BACKEND: 'tensorflow' })
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.ready() }, { message: /^INFERENCE_BACKEND=tensorflow was requested but cannot be used: @tensorflow\/tfjs-node: package not installed/ })
})

t.test('a missing model directory stops the boot', async t => {
  const { app } = modelApp({ MODEL_DIR: '/nonexistent/model', INFERENCE_BACKEND: 'wasm' })
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.ready() }, { message: /Cannot read model manifest \/nonexistent\/model\/manifest.json/ })
})

t.test('with worker threads, each worker loads the model, and close stops them', async t => {
  const { app } = modelApp({ MODEL_DIR: await buildTinyModel(t), INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '2', MAX_BATCH_SIZE: '3' })
  await app.ready()
  const model = app.models.default
  t.same(model.settings, { workers: 2, maxBatchSize: 3, maxBatchDelayMs: 2, maxQueue: 64 })
  t.equal(model.workerRunners.length, 2)
  const results = await Promise.all(Array.from({ length: 6 }, () => model.classify(new Uint8Array(32 * 32 * 3).fill(128))))
  t.ok(results.every(r => r.predictions.length === 3 && r.label === results[0].label), 'every request answered alike')
  const exits = model.workerRunners.map(r => new Promise(resolve => (r as unknown as { worker: { once: (e: string, f: () => void) => void } }).worker.once('exit', () => resolve(true))))
  await app.close()
  t.same(await Promise.all(exits), [true, true], 'both worker threads exited')
})
