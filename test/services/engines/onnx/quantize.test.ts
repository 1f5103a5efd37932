import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import t, { type Test } from 'tap'
import { decodeAndResize } from '../../../../services/image/decode.js'
import { OnnxClassifier } from '../../../../services/engines/onnx/classifier.js'
import { prepareOnnxModel, readCalibration, type PreparedOnnxModel } from '../../../../services/engines/onnx/prepare.js'
import { CONVERTER_VERSION } from '../../../../services/engines/onnx/convert.js'
import { activationParams, calibrationModel, COMPATIBLE_QUANTIZER_VERSIONS, correctionPoints, foldConstantAdditions, quantizedTensors, quantizeModel, RangeCollector } from '../../../../services/engines/onnx/quantize.js'
import { decodeModel, encodeModel, OnnxDataType, type OnnxModel, type OnnxTensor } from '../../../../services/engines/onnx/proto.js'
import { projectRoot } from '../../../../services/common/project.js'
import { fixture, SHIPPED_MODELS } from '../../../helper.js'

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

const floats = (name: string, dims: number[], values: number[]): OnnxTensor =>
  ({ name, dims, data_type: OnnxDataType.float32, raw_data: new Uint8Array(Float32Array.from(values).buffer) })

t.test('constant additions after a convolution are folded into its bias, the residual form too', async t => {
  // x -> Conv a -> Add(k1) -> y; y -> Conv b -> Add(y) -> Add(k2) -> z: batch norm's shift left apart, as TF's
  // arithmetic optimiser leaves it in COCO-SSD's residual blocks.
  const model: OnnxModel = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'test',
    producer_version: '1',
    graph: {
      name: 'fold',
      node: [
        { name: 'a', op_type: 'Conv', input: ['x', 'wa'], output: ['a_out'], attribute: [] },
        { name: 'a_shift', op_type: 'Add', input: ['a_out', 'k1'], output: ['y'], attribute: [] },
        { name: 'b', op_type: 'Conv', input: ['y', 'wb', 'bb'], output: ['b_out'], attribute: [] },
        { name: 'sum', op_type: 'Add', input: ['b_out', 'y'], output: ['s'], attribute: [] },
        { name: 'b_shift', op_type: 'Add', input: ['k2', 's'], output: ['z'], attribute: [] }
      ],
      initializer: [
        floats('wa', [2, 2, 1, 1], [0.5, -1, 2, 0.25]), floats('k1', [2, 1, 1], [0.1, -0.2]),
        floats('wb', [2, 2, 1, 1], [1, 0.5, -0.5, 1]), floats('bb', [2], [0.01, 0.02]), floats('k2', [1, 2, 1, 1], [0.3, -0.4])
      ],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 2 }, { dim_value: 3 }, { dim_value: 3 }] } } } }],
      output: [{ name: 'z', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 1 }, { dim_value: 2 }, { dim_value: 3 }, { dim_value: 3 }] } } } }]
    }
  }
  const folded = foldConstantAdditions(model)
  t.same(folded.graph.node.map(n => `${n.op_type} ${n.input.join(',')} -> ${n.output.join(',')}`), [
    'Conv x,wa,a/folded_bias -> y',
    'Conv y,wb,b/folded_bias -> b_out/biased',
    'Add b_out/biased,y -> z'
  ], 'two additions of a constant gone; the convolution whose value changed has a new output name')
  t.same(quantizedTensors(model), ['x', 'y', 'b_out/biased'], 'calibrated on the folded graph')
  t.same(correctionPoints(model).map(p => [p.conv, p.tensor, p.channels]), [['a', 'y', 2], ['b', 'b_out/biased', 2]])
  const ort = await import('onnxruntime-node')
  const x = new ort.Tensor('float32', Float32Array.from({ length: 18 }, (_, i) => Math.sin(i) * 3), [1, 2, 3, 3])
  const run = async (m: OnnxModel): Promise<Float32Array> => {
    const session = await ort.InferenceSession.create(encodeModel(m))
    const out = (await session.run({ x }, ['z'])).z.data as Float32Array
    await session.release()
    return out
  }
  const [before, after] = [await run(model), await run(folded)]
  t.ok(before.every((v, i) => Math.abs(v - after[i]) < 1e-6), 'the same values')
  const quantized = quantizeModel(model, { x: [-3, 3], y: [-8, 8], 'b_out/biased': [-8, 8] }, { b: [0.5, -0.5] })
  t.ok(quantized.graph.initializer.some(i => i.name === 'b/corrected_bias/int32'), 'a bias correction goes into the quantised bias')
  t.throws(() => quantizeModel(model, { x: [-3, 3], y: [-8, 8], 'b_out/biased': [-8, 8] }, { nothing: [1] }), /bias corrections for 1 convolutions this graph does not have/)
})

t.test('the COCO-SSD family (food 3.0.0): the whole backbone runs in integer kernels, the class predictors in float', async t => {
  const food = join(projectRoot, 'model/food')
  const fp32 = await prepareOnnxModel(food, { ...options, precision: 'fp32' })
  const model = decodeModel(await readFile(fp32.path))
  const before: Record<string, number> = {}
  for (const node of model.graph.node) before[node.op_type] = (before[node.op_type] ?? 0) + 1
  const constants = new Set(model.graph.initializer.map(i => i.name))
  const constantAdds = (nodes: typeof model.graph.node): number => nodes.filter(n => n.op_type === 'Add' && n.input.some(i => constants.has(i))).length
  t.equal(constantAdds(model.graph.node), 10, 'ten residual blocks, each a sum and a constant addition after it (3.0.0)')
  const { model: withTensors, tensors } = calibrationModel(model)
  const sums = withTensors.graph.node.filter(n => n.op_type === 'Add').length
  t.equal(constantAdds(withTensors.graph.node), 0, 'folded: the sums only')
  // Ranges from two photos: enough to make a graph to look at (the real ones come from npm run model:calibrate).
  const ort = await import('onnxruntime-node')
  const session = await ort.InferenceSession.create(encodeModel(withTensors), { graphOptimizationLevel: 'basic', intraOpNumThreads: 1 })
  const description = await (await import('../../../../services/models/description.js')).ModelDescription.read(food)
  const photos = ['food/based__lasagna.jpg', 'not_food/skimage__chelsea.jpg']
  const pixels = await Promise.all(photos.map(async p => (await decodeAndResize(await readFile(fixture('photos', p)), description.inputSpec)).pixels))
  const { BatchBuffer } = await import('../../../../services/image/pixels.js')
  const input = new ort.Tensor('float32', new BatchBuffer().normalize(pixels, description.inputSpec).slice(), [2, 300, 300, 3])
  const out = await session.run({ [fp32.inputName]: input }, tensors)
  await session.release()
  const collector = new RangeCollector('minmax')
  for (const name of tensors) collector.add(name, out[name].data as Float32Array, 2)

  const { writeFile } = await import('node:fs/promises')
  const int8Path = join(cacheDir, 'coco-int8.onnx')
  const optimized = join(cacheDir, 'coco-optimized.onnx')
  await writeFile(int8Path, encodeModel(quantizeModel(model, collector.ranges)))
  const int8 = await ort.InferenceSession.create(int8Path, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: optimized })
  await int8.release()
  const graph = decodeModel(await readFile(optimized)).graph
  const ops: Record<string, number> = {}
  for (const node of graph.node) ops[node.op_type] = (ops[node.op_type] ?? 0) + 1
  const float = graph.node.filter(n => n.op_type === 'Conv' || n.op_type === 'FusedConv').map(n => n.name)
  t.equal(ops.QLinearConv, before.Conv - 12, `every backbone convolution runs in int8 (${JSON.stringify(ops)})`)
  t.equal(ops.QLinearAdd, sums, 'every residual sum too')
  t.notOk(ops.Add, 'no float addition left')
  t.equal(float.length, 12, 'in float: the six class predictors (depthwise and pointwise), whose logits go through sigmoid, max and log-odds')
  t.ok(float.every(name => /^BoxPredictor_\d\/ClassPredictor(_depthwise)?\//.test(name)), float.join(', '))
  t.equal(ops.QuantizeLinear, 1, 'quantised once, at the input')
})

t.test('food 2.0.0 in int8: integer kernels in onnxruntime, the shipped photos answered as fp32 answers them', async t => {
  const calibration = await readCalibration(foodV2)
  if (calibration === undefined) throw new Error('model/food-v2/int8.json is missing')
  const manifest = JSON.parse(await readFile(join(foodV2, 'manifest.json'), 'utf8')) as { sha256: string }
  t.equal(calibration.modelDigest, manifest.sha256, 'int8.json belongs to these weights')
  t.equal(calibration.converter, CONVERTER_VERSION, 'and to this converter: a new version needs npm run model:calibrate again')
  t.ok(COMPATIBLE_QUANTIZER_VERSIONS.includes(calibration.quantizer), `and to a quantiser version whose ranges this one takes (v${calibration.quantizer})`)
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

  // food 2.0.0 is unsure of drinks and of the harder photos committed for 4.0.0 (a fish, a school-meal tray, waffles,
  // a food on a plate): eight of the 44 sit within 0.1 of even odds in fp32.
  await committedPhotosAgree(t, 'model/food-v2', fp32, int8, { band: 0.1, most: 8 })
})

/**
 * The committed photos through a shipped model in fp32 and int8: fp32 gives the known answers; int8 answers as fp32
 * does except within `band` (0.05) of even odds (at most `most`, 3, photos there), and no probability moves by 0.1.
 */
async function committedPhotosAgree (t: Test, dir: string, fp32: PreparedOnnxModel, int8: PreparedOnnxModel, { band, most } = { band: 0.05, most: 3 }): Promise<void> {
  const shipped = SHIPPED_MODELS.find(m => m.dir === dir)
  const a = await OnnxClassifier.load(join(projectRoot, dir), fp32, { intraOpThreads: 1, spinning: false })
  const b = await OnnxClassifier.load(join(projectRoot, dir), int8, { intraOpThreads: 1, spinning: false })
  t.teardown(async () => { await a.dispose(); await b.dispose() })
  const food = a.description.labels.indexOf('food')
  const nearEven: string[] = []
  for (const label of ['food', 'not_food']) {
    for (const file of (await readdir(fixture('photos', label))).filter(f => /\.jpe?g$/i.test(f)).sort()) {
      const pixels = (await decodeAndResize(await readFile(fixture('photos', label, file)), a.description.inputSpec)).pixels
      const [[pa], [pb]] = [await a.predictBatch([pixels]), await b.predictBatch([pixels])]
      const expected = shipped?.knownMisses.includes(`${label}/${file}`) === true ? (label === 'food' ? 'not_food' : 'food') : label
      t.equal(a.describe(pa).label, expected, `${label}/${file}: fp32 ${pa[food].toFixed(3)}`)
      // Near even odds int8 may answer the other way (food 2.0.0: two of the fp32 known misses, at 0.470
      // and 0.471 food, are right in int8); further out it must answer as fp32 does.
      if (Math.abs(pa[food] - 0.5) < band) nearEven.push(`${label}/${file}`)
      else t.equal(b.describe(pb).label, expected, `${label}/${file}: int8 ${pb[food].toFixed(3)}, fp32 ${pa[food].toFixed(3)}`)
      t.ok(Math.abs(pa[food] - pb[food]) < 0.1, `${label}/${file}: |fp32 - int8| ${Math.abs(pa[food] - pb[food]).toFixed(4)}`)
    }
  }
  t.ok(nearEven.length <= most, `at most ${most} photos near even odds (${nearEven.join(', ')})`)
}

t.test('the default model in int8, when it ships a calibration: the committed photos answered as fp32 answers them', async t => {
  const food = join(projectRoot, 'model/food')
  if (await readCalibration(food) === undefined) {
    t.pass('model/food ships no int8.json: served in fp32')
    return
  }
  const fp32 = await prepareOnnxModel(food, { ...options, precision: 'fp32' })
  const int8 = await prepareOnnxModel(food, { ...options, precision: 'int8' })
  t.equal(int8.precision, 'int8')
  await committedPhotosAgree(t, 'model/food', fp32, int8)
})

t.test('precision: auto uses a calibration when the model ships one; fp32 never; int8 or refuse', async t => {
  // model/food without a calibration (a copy, whether or not the shipped one has an int8.json).
  const { cp, rm: remove } = await import('node:fs/promises')
  const food = join(cacheDir, 'food-uncalibrated')
  await cp(join(projectRoot, 'model/food'), food, { recursive: true })
  await remove(join(food, 'int8.json'), { force: true })
  const auto = await prepareOnnxModel(foodV2, options)
  t.equal(auto.precision, 'int8', 'food 2.0.0 ships int8.json')
  const again = await prepareOnnxModel(foodV2, options)
  t.equal(again.path, auto.path)
  t.same(again.int8, auto.int8, 'the second time from the cache, with the record of its check')

  const plain = await prepareOnnxModel(food, options)
  t.equal(plain.precision, undefined, 'a model without a calibration: fp32')
  t.equal(plain.int8Skipped, undefined)
  await t.rejects(prepareOnnxModel(food, { ...options, precision: 'int8' }), { name: 'ConversionRefusedError', message: /ONNX_PRECISION=int8: .*food-uncalibrated has no int8.json/ })
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
