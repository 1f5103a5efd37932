import { chmod, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import t, { type Test } from 'tap'
import { cachePaths, ConversionRefusedError, prepareOnnxModel } from '../../../../services/engines/onnx/prepare.js'
import { projectRoot } from '../../../../services/common/project.js'
import { buildTinyModel, fixture } from '../../../helper.js'

await tf.setBackend('wasm')

const food = join(projectRoot, 'model/food')
const manifestDigest = async (dir: string): Promise<string> => (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { sha256: string }).sha256

async function tempDir (t: Test, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('a conversion is checked on real photos, cached by the weights digest, and served from the cache next time', async t => {
  const cacheDir = join(await tempDir(t, 'onnx-cache-'), 'nested', 'cache')
  // A read-only copy of the model: nothing is written beside it.
  const modelDir = join(await tempDir(t, 'model-ro-'), 'food')
  await cp(food, modelDir, { recursive: true })
  await chmod(modelDir, 0o555)
  t.teardown(() => chmod(modelDir, 0o755))
  // The fp32 conversion itself, whether or not the model ships an int8 calibration.
  const options = { cacheDir, checkPhotosDir: fixture('photos'), maxPhotos: 4, precision: 'fp32' as const }

  const first = await prepareOnnxModel(modelDir, options)
  t.equal(first.fromCache, false)
  t.equal(first.digest, await manifestDigest(food))
  t.equal(first.path, cachePaths(cacheDir, first.digest).model)
  t.equal(first.check.photos.length, 4)
  t.match(first.check.photos, [/^food\//, /^food\//, /^not_food\//, /^not_food\//], 'photos of both labels')
  t.ok(first.check.maxAbsDiff <= 1e-4, `max |difference| ${first.check.maxAbsDiff}`)
  t.same((await readdir(cacheDir)).sort(), [`${first.digest}.converter-v2.json`, `${first.digest}.converter-v2.onnx`], 'the model and its check record, no temporary file left')
  t.same((await readdir(modelDir)).sort(), (await readdir(food)).sort(), 'the model directory is left as it was')
  const written = (await stat(first.path)).mtimeMs

  const second = await prepareOnnxModel(modelDir, options)
  t.equal(second.fromCache, true)
  t.same(second.check, first.check, 'the record of the check made at conversion')
  t.equal((await stat(second.path)).mtimeMs, written, 'not converted again')

  await writeFile(first.path, Buffer.from('damaged'))
  const third = await prepareOnnxModel(modelDir, options)
  t.equal(third.fromCache, false, 'a damaged cache entry is converted and checked again')
  t.equal(third.onnxSha256, first.onnxSha256, 'the converter is deterministic: the same bytes again')
})

t.test('a conversion that disagrees with the TF.js graph is refused and nothing is cached', async t => {
  const cacheDir = await tempDir(t, 'onnx-cache-')
  // Tolerance 0: float32 kernels summing in another order differ by ~1e-6, which must be refused.
  await t.rejects(prepareOnnxModel(food, { cacheDir, checkPhotosDir: fixture('photos'), maxPhotos: 2, tolerance: 0 }), {
    name: 'ConversionRefusedError',
    message: /^the ONNX conversion of food disagrees with the TF.js graph: max \|difference\| [0-9.e-]+ over 2 photos, tolerance 0$/
  })
  t.same(await readdir(cacheDir), [])
})

t.test('no photos to check with, or a layers model: refused with the reason', async t => {
  const cacheDir = await tempDir(t, 'onnx-cache-')
  await t.rejects(prepareOnnxModel(food, { cacheDir, checkPhotosDir: join(cacheDir, 'none') }), new ConversionRefusedError(`no photos in ${join(cacheDir, 'none')} to check the ONNX conversion against the TF.js graph`))
  await t.rejects(prepareOnnxModel(await buildTinyModel(t), { cacheDir, checkPhotosDir: fixture('photos') }), new ConversionRefusedError('tiny is a layers model; the ONNX converter takes graph models'))
})
