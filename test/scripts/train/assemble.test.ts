import t from 'tap'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdtemp, rm, readdir, stat, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assembleFusedModel, assembleModel, writeModelDir } from '../../../scripts/train/assemble.js'
import { cocoSsdDir, detectorFeatures, loadFeatureExtractor, type BackboneName } from '../../../scripts/train/backbones.js'
import { headAsDense, predictFood, type Head } from '../../../scripts/train/head.js'
import { buildCocoSsdGraph, readCocoSsd, FEATURE_DIM } from '../../../scripts/model/coco-ssd.js'
import { preprocessImage } from '../../../services/image/decode.js'
import { inputSpecFor } from '../../../scripts/train/features.js'
import { loadModelDir, maxAbsDiff, median, predictPhoto, runModel, stratifiedPick } from '../../../scripts/train/verify.js'
import { mulberry32 } from '../../../scripts/train/common.js'
import { UNSEEN_SOURCE_FIXTURE } from '../../../scripts/train/dataset.js'
import { computeModelDigest, readManifest } from '../../../services/models/manifest.js'
import type { InputSpec } from '../../../services/image/pixels.js'
import { projectRoot } from '../../../services/common/project.js'
import { SHIPPED_MODELS } from '../../helper.js'

t.before(async () => { await tf.setBackend('wasm'); await tf.ready() })

for (const backbone of ['mobilenet_v2_mid', 'mobilenet_v2'] as BackboneName[]) {
  t.test(`${backbone}: assembled model = backbone features -> head, and its manifest checks out`, async t => {
    const dir = await mkdtemp(join(tmpdir(), 'food-assemble-'))
    t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
    const fe = await loadFeatureExtractor(tf, backbone)
    t.teardown(() => { fe.dispose() })
    const rand = mulberry32(7)
    const head: Head = { w: Float32Array.from({ length: fe.dim }, () => (rand() - 0.5) * 0.2), b: 0.3, temperature: 1.5 }
    const spec = inputSpecFor(backbone)
    const x = tf.randomUniform([2, spec.height, spec.width, 3], 0, 1, 'float32', 3) as tf.Tensor4D
    const feats = await fe.extract(x).array() as number[][]
    const expected = feats.map(f => predictFood(head, Float32Array.from(f)))

    const files = assembleModel(backbone, head)
    const manifest = await writeModelDir(join(dir, 'food'), files, {
      name: 'food', version: '0.0.0-test', labels: ['food', 'not_food'], input: spec, outputActivation: 'none', uncertainThreshold: 0.6
    })
    t.equal(manifest.sha256, await computeModelDigest(join(dir, 'food')), 'sha256 = computeModelDigest')
    const reread = await readManifest(join(dir, 'food'))
    t.same(reread, manifest, 'manifest.json passes parseManifest')
    t.same((await readdir(dir)).sort(), ['food'], 'no temporary directory left behind')

    const model = await loadModelDir(tf, join(dir, 'food'))
    const out = await runModel(model, x).array()
    t.equal(out[0].length, 2)
    let maxDiff = 0
    out.forEach((p, i) => { maxDiff = Math.max(maxDiff, Math.abs(p[0] - expected[i]), Math.abs(p[0] + p[1] - 1)) })
    t.ok(maxDiff < 1e-4, `max abs diff ${maxDiff}`)
    x.dispose()
  })
}

t.test('mobilenet_v2 fused: one graph model = unfused layers model = features -> head, byte-identical when rebuilt', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'food-fused-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const fe = await loadFeatureExtractor(tf, 'mobilenet_v2')
  t.teardown(() => { fe.dispose() })
  const rand = mulberry32(11)
  const head: Head = { w: Float32Array.from({ length: fe.dim }, () => (rand() - 0.5) * 0.2), b: -0.2, temperature: 0.8 }
  const spec = inputSpecFor('mobilenet_v2')
  const x = tf.randomUniform([2, spec.height, spec.width, 3], 0, 1, 'float32', 5) as tf.Tensor4D
  t.teardown(() => { x.dispose() })
  const expected = (await fe.extract(x).array() as number[][]).map(f => { const p = predictFood(head, Float32Array.from(f)); return [p, 1 - p] })

  const a = await assembleFusedModel(tf, 'mobilenet_v2', head)
  t.equal((a.fused.modelJson as { format: string }).format, 'graph-model')
  t.equal(a.opCounts['Dense+softmax'], 1, 'the head is one fused Dense + softmax')
  t.notOk(Object.keys(a.opCounts).some(k => k.includes('unfused')), `every batch norm folded: ${JSON.stringify(a.opCounts)}`)
  const unfused = await runModel(a.layers, x).array()
  await writeModelDir(join(dir, 'food'), a.fused, { name: 'food', version: '0.0.0-test', labels: ['food', 'not_food'], input: spec, outputActivation: 'none', uncertainThreshold: 0.6 })
  const fused = await runModel(await loadModelDir(tf, join(dir, 'food')), x).array()
  t.ok(maxAbsDiff(fused, unfused) < 1e-4, `fused vs unfused: ${maxAbsDiff(fused, unfused)}`)
  t.ok(maxAbsDiff(fused, expected) < 1e-4, `fused vs features -> head: ${maxAbsDiff(fused, expected)}`)
  a.layers.dispose()

  const b = await assembleFusedModel(tf, 'mobilenet_v2', head)
  b.layers.dispose()
  t.ok(Buffer.compare(a.fused.weights, b.fused.weights) === 0, 'same weight bytes on a rebuild')
  t.equal(JSON.stringify(b.fused.modelJson), JSON.stringify(a.fused.modelJson), 'same model.json on a rebuild')
  t.ok(a.fused.weights.byteLength < 15 * 1024 * 1024, `${(a.fused.weights.byteLength / 1e6).toFixed(1)} MB of weights`)
})

t.test('coco_ssd: the cut, folded graph = the published detector\'s features -> head on real photos, any input size, rebuilt byte for byte', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'food-coco-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const raw = await readCocoSsd(cocoSsdDir()) // npm test fetches it first (pretest: scripts/model/fetch-coco-ssd.sh)
  const rand = mulberry32(13)
  const head: Head = { w: Float32Array.from({ length: FEATURE_DIM }, () => (rand() - 0.5) * 0.4), b: 0.1, temperature: 1.3 }
  const a = buildCocoSsdGraph(raw, headAsDense(head))
  t.equal(a.output, 'food/probabilities')
  const nodes = a.modelJson.modelTopology.node
  const backbone = nodes.filter(n => /^(FeatureExtractor|BoxPredictor_\d+)\//.test(n.name) && n.op !== 'Const')
  for (const op of ['Mul', 'Sub', 'FusedBatchNorm', 'Relu6', 'BiasAdd']) t.notOk(backbone.some(n => n.op === op), `no separate ${op} left in the backbone: ${JSON.stringify(a.opCounts)}`)
  t.notOk(nodes.some(n => (/^(Preprocessor|Postprocessor)\//.test(n.name) && n.op !== 'Const') || n.name.includes('BoxEncodingPredictor')), 'preprocessing loop, box encodings and post-processing cut')
  const spec = inputSpecFor('coco_ssd', 'fill')
  await writeModelDir(join(dir, 'food'), { modelJson: a.modelJson as unknown as Record<string, unknown>, weights: Buffer.from(a.weightData) }, { name: 'food', version: '0.0.0-test', labels: ['food', 'not_food'], input: spec, outputActivation: 'none', uncertainThreshold: 0.6 })
  const model = await loadModelDir(tf, join(dir, 'food'))
  t.teardown(() => { model.dispose() })
  const photos = ['food/based__lasagna.jpg', 'food/opencv__fruits.jpg', 'not_food/skimage__astronaut.jpg']
  const pixels = await Promise.all(photos.map(async f => (await preprocessImage(await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'photos', f)), spec)).pixels))
  const expected = (await detectorFeatures(tf, pixels, spec)).map(f => { const p = predictFood(head, f); return [p, 1 - p] })
  const got = await Promise.all(photos.map(async f => await predictPhoto(tf, model, await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'photos', f)), spec)))
  t.ok(maxAbsDiff(got, expected) < 1e-4, `cut graph vs the published detector -> head on ${photos.length} real photos: max abs diff ${maxAbsDiff(got, expected).toExponential(2)}`)
  for (const size of [224, 320]) {
    const y = runModel(model, tf.zeros([2, size, size, 3]) as tf.Tensor4D)
    t.same(y.shape, [2, 2], `a batch of 2 at ${size}x${size} runs`)
    y.dispose()
  }
  const b = buildCocoSsdGraph(raw, headAsDense(head))
  t.ok(Buffer.compare(Buffer.from(a.weightData), Buffer.from(b.weightData)) === 0, 'same weight bytes on a rebuild')
  t.equal(JSON.stringify(b.modelJson), JSON.stringify(a.modelJson), 'same model.json on a rebuild')
})

t.test('fusion-check helpers: stratified pick, max abs diff, median', async t => {
  const labels = [0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1]
  const pick = stratifiedPick(labels, 2)
  t.same(pick, [0, 3, 4, 9], 'two per class, spread over each class, sorted')
  t.same(stratifiedPick([1, 1, 0], 5), [0, 1, 2], 'fewer items than asked: all of them')
  t.equal(maxAbsDiff([[0.1, 0.9], [0.5, 0.5]], [[0.1, 0.9], [0.25, 0.75]]), 0.25)
  t.throws(() => maxAbsDiff([[1]], [[1], [2]]))
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
})

for (const shipped of SHIPPED_MODELS) {
  const dir = join(projectRoot, shipped.dir)
  t.test(`shipped ${shipped.dir}: manifest valid, digest matches, under 20 MB, fixtures classified`, async t => {
    const manifest = await readManifest(dir)
    t.equal(manifest.name, shipped.name)
    t.equal(manifest.sha256, await computeModelDigest(dir))
    t.same(manifest.labels, ['food', 'not_food'])
    let size = 0
    for (const f of await readdir(dir)) size += (await stat(join(dir, f))).size
    t.ok(size < 20 * 1024 * 1024, `${shipped.dir} is ${(size / 1e6).toFixed(1)} MB`)
    const model = await loadModelDir(tf, dir)
    const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'photos')
    for (const [k, label] of manifest.labels.entries()) {
      for (const f of (await readdir(join(fixtures, label))).filter(f => f.endsWith('.jpg'))) {
        const p = await predictPhoto(tf, model, await readFile(join(fixtures, label, f)), manifest.input as InputSpec)
        if (shipped.knownMisses.includes(`${label}/${f}`)) {
          t.ok(p[k] < 0.5, `${label}/${f}: p(${label}) = ${p[k].toFixed(3)} < 0.5 (known miss; fix the list when it is right)`)
          continue
        }
        // Training-source fixtures were picked with a margin by one model, which must keep it; the scikit-image photos
        // and the external set's plated dishes come from sources no model saw (a small held-out check), and for them,
        // as for the other model, being right is the requirement.
        const margin = shipped.pickedFixtures && !UNSEEN_SOURCE_FIXTURE.test(f) ? 0.75 : 0.5
        t.ok(p[k] >= margin, `${label}/${f}: p(${label}) = ${p[k].toFixed(3)} >= ${margin}`)
      }
    }
    model.dispose()
  })
}
