import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { build, imageFile, readFixture, webgpuMissing, webgpuRequired } from '../helper.js'

const missing = await webgpuMissing()
if (missing && webgpuRequired) t.fail(`WEBGPU_TEST_REQUIRED=1 but ${missing}`)

/** The shipped model served on WebGPU over HTTP (lavapipe in CI, forced), against the CPU engine for the same photos. */
t.test('POST /predict with INFERENCE_BACKEND=webgpu answers as the CPU engine does, and GET /models/food says where it runs', { skip: missing }, async t => {
  const cacheDir = await mkdtemp(join(tmpdir(), 'onnx-cache-'))
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
  const gpuApp = await build(t, { INFERENCE_BACKEND: 'webgpu', INFERENCE_WORKERS: 'auto', ONNX_CACHE_DIR: cacheDir })
  // fp32 on the CPU too: WebGPU never runs int8.
  const cpuApp = await build(t, { INFERENCE_BACKEND: 'onnxruntime', ONNX_CACHE_DIR: cacheDir, ONNX_PRECISION: 'fp32' })
  t.equal(gpuApp.backend.name, 'webgpu')
  t.equal(gpuApp.models.default.settings.ort?.executionProvider, 'webgpu', 'the workers\' sessions are on the WebGPU provider')
  t.equal(cpuApp.models.default.settings.ort?.executionProvider, undefined)

  const photos = ['food/opencv__apple.jpg', 'not_food/skimage__chelsea.jpg', 'food/based__lasagna.jpg']
  for (const name of photos) {
    const photo = await readFixture('photos', name)
    const onGpu = await gpuApp.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
    const onCpu = await cpuApp.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
    t.equal(onGpu.statusCode, 200, name)
    const a = onGpu.json()
    const b = onCpu.json()
    t.equal(a.backend, 'webgpu')
    t.equal(b.backend, 'onnxruntime')
    t.equal(a.label, name.split('/')[0], `${name}: labelled ${a.label}`)
    t.equal(a.label, b.label)
    t.ok(Math.abs(a.probability - b.probability) < 1e-3, `${name}: ${a.probability} on webgpu, ${b.probability} on the CPU engine`)
    t.same(a.model, b.model)
  }

  const model = (await gpuApp.inject({ url: '/models/food' })).json()
  t.match(model.backend, { name: 'webgpu', package: 'onnxruntime-node', forced: true, skipped: [], adapter: { name: String, software: Boolean } })
  t.same(model.backend.adapter, gpuApp.backend.adapter)
  t.match(model.inference, { workers: 1, maxBatchSize: 32 }, 'the webgpu defaults: one session, batches of up to 32')
  const info = (await gpuApp.inject({ url: '/' })).json()
  t.equal(info.backend, 'webgpu')
})
