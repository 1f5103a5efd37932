import t from 'tap'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdtemp, rm, readdir, stat, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assembleModel, writeModelDir } from '../../scripts/train/assemble.js'
import { loadFeatureExtractor, type BackboneName } from '../../scripts/train/backbones.js'
import { predictFood, type Head } from '../../scripts/train/head.js'
import { inputSpecFor } from '../../scripts/train/features.js'
import { loadModelDir, runModel } from '../../scripts/train/verify.js'
import { mulberry32 } from '../../scripts/train/common.js'
import { computeModelDigest, readManifest } from '../../services/model-manifest.js'
import { preprocessImage } from '../../services/image.js'
import { MODEL_DIR } from '../../scripts/train/common.js'

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

t.test('shipped model/food: manifest valid, digest matches, under 15 MB, fixtures classified', { skip: existsSync(join(MODEL_DIR, 'manifest.json')) ? false : 'no model/food in this checkout' }, async t => {
  const manifest = await readManifest(MODEL_DIR)
  t.equal(manifest.sha256, await computeModelDigest(MODEL_DIR))
  t.same(manifest.labels, ['food', 'not_food'])
  let size = 0
  for (const f of await readdir(MODEL_DIR)) size += (await stat(join(MODEL_DIR, f))).size
  t.ok(size < 15 * 1024 * 1024, `model/food is ${(size / 1e6).toFixed(1)} MB`)
  const model = await loadModelDir(tf, MODEL_DIR)
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'photos')
  for (const [k, label] of manifest.labels.entries()) {
    const dir = join(fixtures, label)
    if (!existsSync(dir)) continue
    for (const f of (await readdir(dir)).filter(f => f.endsWith('.jpg'))) {
      const { data } = await preprocessImage(await readFile(join(dir, f)), manifest.input as Parameters<typeof preprocessImage>[1])
      const x = tf.tensor4d(data, [1, manifest.input.height, manifest.input.width, 3])
      const p = (await runModel(model, x).array())[0]
      x.dispose()
      t.ok(p[k] >= 0.75, `${label}/${f}: p(${label}) = ${p[k].toFixed(3)}`)
    }
  }
})
