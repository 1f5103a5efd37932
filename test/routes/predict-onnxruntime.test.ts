import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

/** The shipped model served on onnxruntime over HTTP, against the same app on wasm for the same photos. */
t.test('POST /predict on the onnxruntime backend answers as the wasm backend does', async t => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'onnx-cache-'))
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
  const ortApp = await build(t, { INFERENCE_BACKEND: 'onnxruntime', ONNX_CACHE_DIR: cacheDir })
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
