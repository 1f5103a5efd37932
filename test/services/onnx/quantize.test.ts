import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import t from 'tap'
import { decodeAndResize } from '../../../services/image.js'
import { OnnxClassifier } from '../../../services/onnx/classifier.js'
import { prepareOnnxModel, readCalibration } from '../../../services/onnx/prepare.js'
import { decodeModel } from '../../../services/onnx/proto.js'
import { CONVERTER_VERSION } from '../../../services/onnx/convert.js'
import { activationParams, quantizedTensors, quantizeModel, QUANTIZER_VERSION, RangeCollector } from '../../../services/onnx/quantize.js'
import { projectRoot } from '../../../services/project.js'
import { fixture, SHIPPED_MODELS } from '../../helper.js'

await tf.setBackend('wasm')

const foodV2 = join(projectRoot, 'model/food-v2')
const cacheDir = await mkdtemp(join(tmpdir(), 'quantize-test-'))
t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
const options = { cacheDir, checkPhotosDir: fixture('photos'), maxPhotos: 4 }

t.test('activation ranges: zero is exact, ReLU6 outputs use the whole uint8 range', async t => {
  t.same(activationParams([0, 6]), { scale: 6 / 255, zeroPoint: 0 })
  const { scale, zeroPoint } = activationParams([-1, 3])
  t.equal(scale, 4 / 255)
  t.equal(zeroPoint, 64)
  t.equal(Math.round((0 - 0) / scale) + zeroPoint, 64, '0.0 maps to a level exactly')
  t.same(activationParams([2, 5]), { scale: 5 / 255, zeroPoint: 0 }, 'a range that misses zero is widened to it')

  const collector = new RangeCollector('minmax')
  const average = new RangeCollector('average')
  const batch = Float32Array.of(0, 1, 2, 3, -4, 10) // two photos of three values
  collector.add('x', batch, 2)
  average.add('x', batch, 2)
  t.same(collector.ranges.x, [-4, 10], 'minmax: the extremes over every photo')
  t.same(average.ranges.x, [-2, 6], 'average: the mean of each photo\'s minimum and maximum')
})

t.test('food 2.0.0 in int8: integer kernels in onnxruntime, the shipped photos answered as fp32 answers them', async t => {
  const calibration = await readCalibration(foodV2)
  if (calibration === undefined) throw new Error('model/food-v2/int8.json is missing')
  const manifest = JSON.parse(await readFile(join(foodV2, 'manifest.json'), 'utf8')) as { sha256: string }
  t.equal(calibration.modelDigest, manifest.sha256, 'int8.json belongs to these weights')
  t.same([calibration.converter, calibration.quantizer], [CONVERTER_VERSION, QUANTIZER_VERSION], 'and to this converter and quantiser: a new version needs npm run model:calibrate again')
  const fp32 = await prepareOnnxModel(foodV2, { ...options, precision: 'fp32' })
  const model = decodeModel(await readFile(fp32.path))
  const tensors = quantizedTensors(model)
  t.equal(tensors.length, 63, 'the input, every ReLU6 output a convolution reads, every residual sum and projection')
  t.same(Object.keys(calibration.ranges).sort(), [...tensors].sort(), 'int8.json has a range for each, and nothing else')
  t.throws(() => quantizeModel(model, {}), /no calibration range for 63 tensors/)

  const int8 = await prepareOnnxModel(foodV2, { ...options, precision: 'int8' })
  t.equal(int8.precision, 'int8')
  t.not(int8.path, fp32.path)
  t.ok(int8.int8 !== undefined && int8.int8.check.maxAbsDiff <= 0.2, `checked against fp32 at preparation: max |difference| ${int8.int8?.check.maxAbsDiff}`)

  // onnxruntime's optimised graph: the QDQ pairs became integer convolutions and additions.
  const ort = await import('onnxruntime-node')
  const optimized = join(cacheDir, 'optimized.onnx')
  const session = await ort.InferenceSession.create(int8.path, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: optimized })
  await session.release()
  const ops: Record<string, number> = {}
  for (const node of decodeModel(await readFile(optimized)).graph.node) ops[node.op_type] = (ops[node.op_type] ?? 0) + 1
  t.equal(ops.QLinearConv, 52, `every convolution runs in int8 (${JSON.stringify(ops)})`)
  t.equal(ops.QLinearAdd, 10, 'every residual sum too')
  t.notOk(ops.Conv, 'no float convolution left')

  const shipped = SHIPPED_MODELS.find(m => m.dir === 'model/food-v2')
  const a = await OnnxClassifier.load(foodV2, fp32, { intraOpThreads: 1, spinning: false })
  const b = await OnnxClassifier.load(foodV2, int8, { intraOpThreads: 1, spinning: false })
  t.teardown(async () => { await a.dispose(); await b.dispose() })
  const nearEven: string[] = []
  for (const label of ['food', 'not_food']) {
    for (const file of (await readdir(fixture('photos', label))).filter(f => /\.jpe?g$/i.test(f)).sort()) {
      const pixels = (await decodeAndResize(await readFile(fixture('photos', label, file)), a.description.inputSpec)).pixels
      const [[pa], [pb]] = [await a.predictBatch([pixels]), await b.predictBatch([pixels])]
      const expected = shipped?.knownMisses.includes(`${label}/${file}`) === true ? (label === 'food' ? 'not_food' : 'food') : label
      t.equal(a.describe(pa).label, expected, `${label}/${file}: fp32 ${pa[0].toFixed(3)}`)
      // Within 0.05 of the even odds int8 may answer the other way (two of the fp32 known misses, at 0.470 and
      // 0.471 food, are right in int8); further out it must answer as fp32 does.
      if (Math.abs(pa[0] - 0.5) < 0.05) nearEven.push(`${label}/${file}`)
      else t.equal(b.describe(pb).label, expected, `${label}/${file}: int8 ${pb[0].toFixed(3)}, fp32 ${pa[0].toFixed(3)}`)
      t.ok(Math.abs(pa[0] - pb[0]) < 0.1, `${label}/${file}: |fp32 - int8| ${Math.abs(pa[0] - pb[0]).toFixed(4)}`)
    }
  }
  t.ok(nearEven.length <= 3, `at most 3 photos near even odds (${nearEven.join(', ')})`)
})

t.test('precision: auto uses a calibration when the model ships one; fp32 never; int8 or refuse', async t => {
  const food = join(projectRoot, 'model/food')
  const auto = await prepareOnnxModel(foodV2, options)
  t.equal(auto.precision, 'int8', 'food 2.0.0 ships int8.json')
  const again = await prepareOnnxModel(foodV2, options)
  t.equal(again.path, auto.path)
  t.same(again.int8, auto.int8, 'the second time from the cache, with the record of its check')

  const plain = await prepareOnnxModel(food, options)
  t.equal(plain.precision, undefined, 'food 3.0.0 ships no calibration: fp32')
  t.equal(plain.int8Skipped, undefined)
  await t.rejects(prepareOnnxModel(food, { ...options, precision: 'int8' }), { name: 'ConversionRefusedError', message: /ONNX_PRECISION=int8: .*model\/food has no int8.json/ })
})

t.test('a calibration made for other weights is not used: auto serves fp32 and says why, int8 refuses', async t => {
  const { cp, writeFile } = await import('node:fs/promises')
  const copy = join(cacheDir, 'food-v2-copy')
  await cp(foodV2, copy, { recursive: true })
  const calibration = await readCalibration(copy)
  await writeFile(join(copy, 'int8.json'), JSON.stringify({ ...calibration, modelDigest: '0'.repeat(64) }))
  const auto = await prepareOnnxModel(copy, options)
  t.equal(auto.precision, undefined)
  t.match(auto.int8Skipped, /int8.json of food was measured on other weights \(000000000000, these are 62047f7e5fbc\): run npm run model:calibrate again/)
  await t.rejects(prepareOnnxModel(copy, { ...options, precision: 'int8' }), { name: 'ConversionRefusedError', message: /measured on other weights/ })
})
