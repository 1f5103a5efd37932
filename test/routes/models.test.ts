import t from 'tap'
import { computeModelDigest } from '../../services/models/manifest.js'
import { projectRoot } from '../../services/common/project.js'
import { build } from '../helper.js'

t.test('GET /models lists the loaded model, GET /models/:name describes it', async t => {
  const app = await build(t)
  const list = await app.inject('/models')
  t.equal(list.statusCode, 200)
  const { models } = list.json()
  t.equal(models.length, 1)
  t.equal(models[0].name, 'food')

  const res = await app.inject('/models/food')
  t.equal(res.statusCode, 200)
  const info = res.json()
  t.same(info, models[0], 'the list shows the same metadata')
  t.same(info.labels, ['food', 'not_food'])
  t.same(info.inputShape, [300, 300, 3], 'food 4.0.0 takes 300x300 RGB')
  t.match(info.preprocessing, { resizeMode: /^(cover|contain|fill)$/, normalization: { mean: Array, std: Array } })
  t.match(info.format, /^(layers|graph)-model$/)
  t.equal(info.sha256, await computeModelDigest(`${projectRoot}/model/food`), 'the digest of the weights on disk')
  t.ok(info.uncertainThreshold > 0 && info.uncertainThreshold < 1)
  t.match(info.backend, { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', forced: true, skipped: [] })
})

t.test('the backend skips are reported when the backend is chosen automatically', async t => {
  const app = await build(t, { INFERENCE_BACKEND: 'auto' })
  const info = (await app.inject('/models/food')).json()
  t.equal(info.backend.name, 'onnxruntime', 'onnxruntime-node is installed and the model converts')
  t.equal(info.backend.forced, false)
  t.same(info.backend.skipped.map((s: { name: string }) => s.name), ['tensorflow-gpu', 'webgpu'])
  t.match(info.backend.skipped[0].reason, /package not installed|no GPU visible/)
  // Without Vulkan (a dev machine) or with only lavapipe (CI, .ci/run installs it): why webgpu was not used.
  t.match(info.backend.skipped[1], { package: 'onnxruntime-node', reason: /^no Vulkan driver: |^the Vulkan adapter WebGPU gets is a software rasteriser: llvmpipe/ })
  t.notOk('adapter' in info.backend)
})

t.test('an unknown model name is a 404 with code MODEL_NOT_FOUND', async t => {
  const app = await build(t)
  const res = await app.inject('/models/dogs')
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, error: 'Not Found', code: 'MODEL_NOT_FOUND', message: "No model named 'dogs' is loaded (loaded: food)." })
})
