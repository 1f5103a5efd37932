import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import * as ort from 'onnxruntime-node'
import t from 'tap'
import { decodeAndResize } from '../../../../services/image/decode.js'
import type { InputSpec } from '../../../../services/image/pixels.js'
import { loadFromDirectory } from '../../../../services/engines/tfjs/model-files.js'
import { readManifest } from '../../../../services/models/manifest.js'
import { convertGraph, UnsupportedModelError, type TfNode } from '../../../../services/engines/onnx/convert.js'
import { readGraphModel } from '../../../../services/engines/onnx/graph-model.js'
import { projectRoot } from '../../../../services/common/project.js'
import { fixture, SHIPPED_MODELS } from '../../../helper.js'

await tf.setBackend('wasm')

async function allPhotos (): Promise<string[]> {
  const dir = fixture('photos')
  return (await readdir(dir, { recursive: true })).filter(f => f.endsWith('.jpg')).sort().map(f => join(dir, f))
}

async function batchOf (photos: string[], spec: InputSpec): Promise<Float32Array> {
  const { width, height, normalization: { mean, std } } = spec
  const size = width * height * 3
  const x = new Float32Array(photos.length * size)
  for (const [i, p] of photos.entries()) {
    const { pixels } = await decodeAndResize(await readFile(p), spec)
    for (let j = 0; j < size; j++) x[i * size + j] = (pixels[j] - mean[j % 3]) / std[j % 3]
  }
  return x
}

/** Runs a batch through the TF.js graph and through its ONNX conversion on onnxruntime; the largest difference. */
async function compare (dir: string, x: Float32Array, shape: [number, number, number, number], inputName?: string): Promise<{ maxAbsDiff: number, onnxShape: readonly number[], tfShape: number[], expected: Float32Array }> {
  const converted = convertGraph(await readGraphModel(dir))
  const model = await tf.loadGraphModel(loadFromDirectory(dir))
  const input = tf.tensor4d(x, shape)
  const reference = (inputName !== undefined ? model.execute({ [inputName]: input }) : model.predict(input)) as tf.Tensor
  const expected = await reference.data()
  const session = await ort.InferenceSession.create(converted.bytes)
  const out = (await session.run({ [converted.inputName]: new ort.Tensor('float32', x, shape) }))[converted.outputNames[0]]
  const actual = out.data as Float32Array
  let maxAbsDiff = expected.length === actual.length ? 0 : Infinity
  expected.forEach((v, i) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - actual[i])) })
  const result = { maxAbsDiff, onnxShape: out.dims, tfShape: reference.shape, expected: expected as Float32Array }
  tf.dispose([input, reference]); model.dispose(); await session.release()
  return result
}

for (const shipped of SHIPPED_MODELS) {
  t.test(`${shipped.name}: the ONNX conversion equals the TF.js graph within 1e-4 on every committed photo, as one batch`, async t => {
    const dir = join(projectRoot, shipped.dir)
    const spec = (await readManifest(dir)).input as InputSpec
    const photos = await allPhotos()
    t.ok(photos.length >= 10, `${photos.length} real photos`)
    const { maxAbsDiff, onnxShape, tfShape } = await compare(dir, await batchOf(photos, spec), [photos.length, spec.height, spec.width, 3])
    t.same(onnxShape, tfShape, `output shape ${tfShape.join('x')}: the batch dimension is dynamic`)
    t.ok(maxAbsDiff <= 1e-4, `max |TF.js - ONNX| = ${maxAbsDiff}`)
  })
}

/** A graph model written by hand: every op of the SSDLite-MobileNetV2 head the next default model uses. */
async function buildSsdLikeGraph (dir: string): Promise<void> {
  let seed = 7
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5 }
  const nodes: TfNode[] = []
  const weights: Array<{ name: string, shape: number[], dtype: 'float32' | 'int32' }> = []
  const buffers: Buffer[] = []
  const enc = (s: string): string => Buffer.from(s).toString('base64')
  const constant = (name: string, shape: number[], values?: number[], dtype: 'float32' | 'int32' = 'float32', scale = 0.5): string => {
    const n = shape.reduce((a, b) => a * b, 1)
    const data = values ?? Array.from({ length: n }, () => random() * scale)
    buffers.push(Buffer.from((dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data)).buffer))
    weights.push({ name, shape, dtype })
    nodes.push({ name, op: 'Const', attr: { dtype: { type: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } as never, value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map(size => ({ size: String(size) })) } } } } })
    return name
  }
  const op = (name: string, type: string, input: string[], attr: Record<string, unknown> = {}): string => {
    nodes.push({ name, op: type, input, attr: { T: { type: 'DT_FLOAT' }, ...attr } as never })
    return name
  }
  const conv = (strides: number, padding: string): Record<string, unknown> => ({
    strides: { list: { i: ['1', String(strides), String(strides), '1'] } }, dilations: { list: { i: ['1', '1', '1', '1'] } },
    padding: { s: enc(padding) }, data_format: { s: enc('NHWC') }
  })
  const fused = (ops: string[]): Record<string, unknown> => ({ fused_ops: { list: { s: ops.map(enc) } }, num_args: { i: '1' }, epsilon: { f: 0 } })
  nodes.push({ name: 'image', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '16' }, { size: '16' }, { size: '3' }] } } } as never })
  const c1 = op('c1', 'Conv2D', ['image', constant('c1/w', [3, 3, 3, 8])], conv(2, 'SAME'))
  const bn = op('bn', 'FusedBatchNorm', [c1, constant('bn/gamma', [8], undefined, 'float32', 1), constant('bn/beta', [8]), constant('bn/mean', [8]), constant('bn/var', [8], Array.from({ length: 8 }, (_, i) => 0.5 + i / 8))], { epsilon: { f: 0.001 }, data_format: { s: enc('NHWC') }, is_training: { b: false } })
  const r1 = op('r1', 'Relu6', [bn])
  const dw = op('dw', 'DepthwiseConv2dNative', [r1, constant('dw/w', [3, 3, 8, 1])], conv(1, 'SAME'))
  const dwb = op('dwb', 'Relu6', [op('dw/bias', 'BiasAdd', [dw, constant('dw/b', [8])], { data_format: { s: enc('NHWC') } })])
  const fdw = op('fdw', 'FusedDepthwiseConv2dNative', [dwb, constant('fdw/w', [3, 3, 8, 2]), constant('fdw/b', [16])], { ...conv(2, 'VALID'), ...fused(['BiasAdd', 'Relu6']) })
  const proj = op('proj', '_FusedConv2D', [dwb, constant('proj/w', [1, 1, 8, 8]), constant('proj/b', [8])], { ...conv(1, 'SAME'), ...fused(['BiasAdd']) })
  const sum = op('sum', 'AddN', [proj, dwb, r1], { N: { i: '3' } })
  const mul = op('mul', 'Mul', [op('add', 'Add', [op('addv2', 'AddV2', [sum, proj]), constant('shift', [8])]), constant('half', [], [0.5])])
  const zero = constant('zero', [1], [0], 'int32')
  const one = constant('one', [1], [1], 'int32')
  const minusOne = constant('minus_one', [], [-1], 'int32')
  const four = constant('four', [], [4], 'int32')
  const slice = { Index: { type: 'DT_INT32' }, T: { type: 'DT_INT32' }, shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' } }
  const reshapeToBoxes = (name: string, x: string): string => {
    const shape = op(`${name}/shape`, 'Shape', [x], { out_type: { type: 'DT_INT32' } })
    const batch = op(`${name}/batch`, 'StridedSlice', [shape, zero, one, one], slice)
    const target = op(`${name}/stack`, 'Pack', [batch, minusOne, four], { T: { type: 'DT_INT32' }, axis: { i: '0' }, N: { i: '3' } })
    return op(`${name}/reshape`, 'Reshape', [x, target], { Tshape: { type: 'DT_INT32' } })
  }
  const boxes = op('boxes', 'ConcatV2', [reshapeToBoxes('b0', mul), reshapeToBoxes('b1', fdw), constant('axis1', [], [1], 'int32')], { N: { i: '2' }, Tidx: { type: 'DT_INT32' } })
  const scores = op('scores', 'Max', [op('sigmoid', 'Sigmoid', [boxes]), constant('max_axis', [], [1], 'int32')], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } })
  const pooled = op('pooled', 'Mean', [fdw, constant('mean_axes', [2], [1, 2], 'int32')], { keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } })
  const features = op('features', 'ConcatV2', [pooled, scores, constant('axis_last', [], [-1], 'int32')], { N: { i: '2' }, Tidx: { type: 'DT_INT32' } })
  const logits = op('logits', '_FusedMatMul', [features, constant('head/w', [20, 2], undefined, 'float32', 0.2), constant('head/b', [2])], { transpose_a: { b: false }, transpose_b: { b: false }, ...fused(['BiasAdd']) })
  op('probabilities', 'Identity', [op('softmax', 'Softmax', [logits])])
  await writeFile(join(dir, 'group1-shard1of1.bin'), Buffer.concat(buffers))
  await writeFile(join(dir, 'model.json'), JSON.stringify({
    format: 'graph-model',
    modelTopology: { node: nodes, library: {}, versions: {} },
    signature: { inputs: { image: { name: 'image:0', dtype: 'DT_FLOAT' } }, outputs: { probabilities: { name: 'probabilities:0', dtype: 'DT_FLOAT' } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }]
  }))
}

t.test('the SSDLite head ops: conv/depthwise (SAME, VALID, stride 1 and 2), FusedBatchNorm, AddN, run-time Reshape from Shape/StridedSlice/Pack, ConcatV2, Sigmoid, Max, Mean, _FusedMatMul', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'ssd-ops-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await buildSsdLikeGraph(dir)
  const converted = convertGraph(await readGraphModel(dir))
  t.same(Object.keys(converted.opCounts).sort(), ['Add', 'AddN', 'AddV2', 'BiasAdd', 'ConcatV2', 'Const', 'Conv2D', 'DepthwiseConv2dNative', 'FusedBatchNorm', 'FusedDepthwiseConv2dNative', 'Identity',
    'Max', 'Mean', 'Mul', 'Pack', 'Placeholder', 'Relu6', 'Reshape', 'Shape', 'Sigmoid', 'Softmax', 'StridedSlice', '_FusedConv2D', '_FusedMatMul'])
  const photos = (await allPhotos()).slice(0, 3)
  const spec: InputSpec = { width: 16, height: 16, channels: 3, resizeMode: 'cover', normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] } }
  for (const batch of [1, 3]) {
    const { maxAbsDiff, onnxShape, expected } = await compare(dir, await batchOf(photos.slice(0, batch), spec), [batch, 16, 16, 3])
    t.same(onnxShape, [batch, 2], `batch of ${batch}`)
    t.ok(expected.every(p => p > 0.01 && p < 0.99), `probabilities away from 0 and 1, so a wrong value shows: ${Array.from(expected).map(p => p.toFixed(3)).join(' ')}`)
    t.ok(maxAbsDiff <= 1e-4, `batch of ${batch}: max |TF.js - ONNX| = ${maxAbsDiff}`)
  }
})

t.test('an op outside the supported set is refused, naming it', async t => {
  const nodes: TfNode[] = [
    { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } } as never },
    { name: 'y', op: 'Erf', input: ['x'] }
  ]
  t.throws(() => convertGraph({ nodes, weights: new Map(), outputs: ['y'] }), new UnsupportedModelError('unsupported TF ops: Erf'))
})
