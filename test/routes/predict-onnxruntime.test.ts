import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../services/common/project.js'
import { build, imageFile, readFixture } from '../helper.js'

/** The shipped model served on onnxruntime over HTTP, against the same app on wasm for the same photos. */
t.test('POST /predict on the onnxruntime backend answers as the wasm backend does', async t => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'onnx-cache-'))
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
  // fp32: the conversion answers as the TF.js graph does (int8, when the model ships a calibration: quantize.test.ts).
  const ortApp = await build(t, { INFERENCE_BACKEND: 'onnxruntime', ONNX_CACHE_DIR: cacheDir, ONNX_PRECISION: 'fp32' })
  const wasmApp = await build(t, { INFERENCE_BACKEND: 'wasm' })
  t.equal(ortApp.backend.name, 'onnxruntime')
  t.equal(ortApp.backend.package, 'onnxruntime-node')
  t.match((await readdir(cacheDir)).sort(), [/^[0-9a-f]{64}\.converter-v2\.json$/, /^[0-9a-f]{64}\.converter-v2\.onnx$/], 'the checked conversion is cached')

  const photos = ['food/opencv__apple.jpg', 'not_food/skimage__chelsea.jpg', 'not_food/goexif__sample1.jpg']
  for (const name of photos) {
    const photo = await readFixture('photos', name)
    const [onOrt, onWasm] = await Promise.all([ortApp, wasmApp].map(app => app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })))
    t.equal(onOrt.statusCode, 200, name)
    const a = onOrt.json()
    const b = onWasm.json()
    t.equal(a.backend, 'onnxruntime')
    t.equal(a.label, name.split('/')[0], `${name}: labelled ${a.label}`)
    t.equal(a.label, b.label)
    t.ok(Math.abs(a.probability - b.probability) < 1e-4, `${name}: ${a.probability} on onnxruntime, ${b.probability} on wasm`)
    t.same(a.model, b.model)
  }

  const model = (await ortApp.inject({ url: '/models/food' })).json()
  t.match(model.backend, { name: 'onnxruntime', package: 'onnxruntime-node', forced: true })
  const bad = await ortApp.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: Buffer.from('not an image') })
  t.equal(bad.statusCode, 415, 'errors keep their one shape whatever the engine')
})

t.test('food 2.0.0, which ships a calibration, is served in int8 by default and in fp32 when asked', async t => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'onnx-cache-'))
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
  const modelDir = join(projectRoot, 'model/food-v2')
  const int8App = await build(t, { INFERENCE_BACKEND: 'onnxruntime', ONNX_CACHE_DIR: cacheDir, MODEL_DIR: modelDir })
  const fp32App = await build(t, { INFERENCE_BACKEND: 'onnxruntime', ONNX_CACHE_DIR: cacheDir, MODEL_DIR: modelDir, ONNX_PRECISION: 'fp32' })
  t.equal((await int8App.inject({ url: '/models/food' })).json().inference.precision, 'int8')
  t.equal((await fp32App.inject({ url: '/models/food' })).json().inference.precision, 'fp32')
  t.ok((await readdir(cacheDir)).some(f => /\.int8-v\d+\.[0-9a-f]{16}\.onnx$/.test(f)), 'the int8 graph is cached beside the fp32 conversion')
  for (const name of ['food/opencv__apple.jpg', 'not_food/skimage__chelsea.jpg']) {
    const photo = await readFixture('photos', name)
    const [a, b] = (await Promise.all([int8App, fp32App].map(app => app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })))).map(r => r.json())
    t.equal(a.label, name.split('/')[0], `${name}: int8 says ${a.label} (${a.probability})`)
    t.equal(a.label, b.label)
    t.ok(Math.abs(a.probability - b.probability) < 0.1, `${name}: ${a.probability} in int8, ${b.probability} in fp32`)
  }
})
