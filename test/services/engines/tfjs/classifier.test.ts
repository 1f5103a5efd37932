import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import t from 'tap'
import { TfjsClassifier } from '../../../../services/engines/tfjs/classifier.js'
import { selectBackend } from '../../../../services/engines/backend.js'
import { preprocessImage } from '../../../../services/image/decode.js'
import { buildTinyModel, readFixture } from '../../../helper.js'

t.before(async () => { await selectBackend('wasm') })

t.test('a model directory loads with its manifest and digest', async t => {
  const dir = await buildTinyModel(t, { labels: ['cat', 'dog'] })
  const model = await TfjsClassifier.load(dir)
  t.teardown(() => model.dispose())
  t.equal(model.name, 'tiny')
  t.same(model.labels, ['cat', 'dog'])
  t.same(model.inputShape, [32, 32, 3])
  t.equal(model.format, 'layers-model')
  t.match(model.digest, /^[0-9a-f]{64}$/)
})

t.test('weights that do not match the manifest digest are refused', async t => {
  const dir = await buildTinyModel(t)
  const weights = join(dir, 'group1-shard1of1.bin')
  const bytes = await readFile(weights)
  bytes[0] ^= 0xff
  await writeFile(weights, bytes)
  await t.rejects(TfjsClassifier.load(dir), { message: /does not match its manifest: sha256 is [0-9a-f]{64}, manifest.json says/ })
})

t.test('a model.json that does not parse is refused, naming the file', async t => {
  const dir = await buildTinyModel(t, { sha256: false })
  await writeFile(join(dir, 'model.json'), '{"format": "layers-model", "modelTop')
  await t.rejects(TfjsClassifier.load(dir), { message: new RegExp(`^Cannot read ${join(dir, 'model.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) })
})

t.test('a manifest that disagrees with the model is refused at load', async t => {
  const wrongSize = await buildTinyModel(t, { manifest: { input: { width: 64, height: 64, channels: 3, resizeMode: 'fill', normalization: { mean: [0, 0, 0], std: [1, 1, 1] } } } })
  await t.rejects(TfjsClassifier.load(wrongSize), { message: /Model input shape \[.*32, 32, 3\] does not match the manifest's 64x64x3/ })
  const badManifest = await buildTinyModel(t, { manifest: { labels: ['only-one'] } })
  await t.rejects(TfjsClassifier.load(badManifest), { message: /Invalid model manifest .*\/labels/ })
})

t.test('predictions are probabilities over the labels, sorted, topK honoured', async t => {
  const dir = await buildTinyModel(t)
  const model = await TfjsClassifier.load(dir)
  t.teardown(() => model.dispose())
  const input = await preprocessImage(await readFixture('images', 'flower.jpg'), model.inputSpec)
  const result = await model.classify(input.pixels)
  t.equal(result.predictions.length, 3)
  t.same(result.predictions.map(p => p.label).sort(), ['a', 'b', 'c'])
  t.ok(Math.abs(result.predictions.reduce((s, p) => s + p.probability, 0) - 1) < 1e-5, 'probabilities sum to 1')
  for (let i = 1; i < 3; i++) t.ok(result.predictions[i - 1].probability >= result.predictions[i].probability, 'sorted')
  t.equal(result.label, result.predictions[0].label)
  t.equal(result.uncertain, result.probability < 0.5)
  t.equal((await model.classify(input.pixels, 1)).predictions.length, 1)
  const [single] = await model.predictBatch([input.pixels])
  const batch = await model.predictBatch([input.pixels, input.pixels])
  t.same(Array.from(batch[1]).map(v => v.toFixed(5)), Array.from(single).map(v => v.toFixed(5)), 'a batch gives each item the same answer as alone')
})

t.test('tensors are back to their baseline after 200 predictions', async t => {
  const dir = await buildTinyModel(t)
  const model = await TfjsClassifier.load(dir)
  t.teardown(() => model.dispose())
  const input = await preprocessImage(await readFixture('images', 'flower.jpg'), model.inputSpec)
  await model.warmUp()
  const baseline = tf.memory().numTensors
  for (let i = 0; i < 200; i++) await model.classify(input.pixels)
  t.equal(tf.memory().numTensors, baseline)
  await t.rejects(model.predictBatch([new Uint8Array(5)]), { message: /has 5 values, expected 3072/ })
  t.equal(tf.memory().numTensors, baseline, 'and after a refused input')
})
