import * as tf from '@tensorflow/tfjs'
import t, { type Test } from 'tap'
import { fuseLayersModel } from '../../../scripts/model/fuse.js'
import { selectBackend } from '../../../services/engines/backend.js'
import { preprocessImage } from '../../../services/image/decode.js'
import { normalizePixels } from '../../../services/image/pixels.js'
import { readFixture } from '../../helper.js'

t.before(async () => { await selectBackend('wasm') })

/** A small Keras-style MobileNetV2 block stack: conv, batch norm and ReLU6 as separate layers. */
function keraStyleModel (size: number, padding: [[number, number], [number, number]] = [[0, 1], [0, 1]]): tf.LayersModel {
  const seed = (n: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: n })
  const input = tf.input({ shape: [size, size, 3], name: 'image' })
  let x = tf.layers.zeroPadding2d({ padding }).apply(input) as tf.SymbolicTensor
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, useBias: false, kernelInitializer: seed(1) }).apply(x) as tf.SymbolicTensor
  x = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor
  const shortcut = x
  let y = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: seed(2) }).apply(x) as tf.SymbolicTensor
  y = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor
  y = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor
  y = tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, kernelInitializer: seed(3) }).apply(y) as tf.SymbolicTensor
  y = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(y) as tf.SymbolicTensor
  x = tf.layers.add().apply([shortcut, y]) as tf.SymbolicTensor
  x = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'relu', kernelInitializer: seed(4) }).apply(x) as tf.SymbolicTensor
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor
  x = tf.layers.dropout({ rate: 0.3 }).apply(x) as tf.SymbolicTensor
  const output = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(5) }).apply(x) as tf.SymbolicTensor
  return withTrainedBatchNorms(tf.model({ inputs: input, outputs: output }), 10)
}

/**
 * Trained-looking batch norm statistics, so that folding them actually changes the weights: uniform draws (seeds
 * firstSeed, firstSeed + 1, ...), shifted to [0.5, 1.5) for the scale (gamma, when the layer has one) and the variance,
 * to [-0.5, 0.5) for the offset and the mean.
 */
function withTrainedBatchNorms (model: tf.LayersModel, firstSeed: number): tf.LayersModel {
  let k = firstSeed
  for (const layer of model.layers.filter(l => l.getClassName() === 'BatchNormalization')) {
    const weights = layer.getWeights()
    const positive = (i: number): boolean => i === weights.length - 1 || (weights.length === 4 && i === 0)
    layer.setWeights(weights.map((w, i) => tf.tidy(() => {
      const r = tf.randomUniform(w.shape, 0, 1, 'float32', k++)
      return positive(i) ? r.add(0.5) : r.sub(0.5)
    })))
  }
  return model
}

t.test('the fused graph gives the layers model\'s outputs on real images, in fewer ops', async t => {
  const model = keraStyleModel(64)
  const fused = fuseLayersModel(model)
  t.same(fused.stats, {
    'Pad (folded into the conv as SAME)': 1,
    'Conv2D+BatchNormalization+ReLU': 1,
    'DepthwiseConv2D+BatchNormalization+ReLU': 1,
    'Conv2D+BatchNormalization': 1,
    Add: 1,
    Conv2D: 1,
    Mean: 1,
    'Dense+softmax': 1
  })
  t.notOk(fused.modelJson.modelTopology.node.some(n => n.op === 'FusedBatchNormV3' || n.op === 'Relu6' || n.op === 'Pad'), 'no separate batch norm, activation or padding ops remain')
  await checkOutputs(t, model, fused)
})

t.test('padding that SAME would not add stays an explicit Pad, with the same outputs', async t => {
  const model = keraStyleModel(64, [[1, 1], [1, 1]])
  const fused = fuseLayersModel(model)
  t.equal(fused.stats.Pad, 1)
  t.equal(fused.stats['Pad (folded into the conv as SAME)'], undefined)
  await checkOutputs(t, model, fused)
})

async function checkOutputs (t: Test, model: tf.LayersModel, fused: ReturnType<typeof fuseLayersModel>): Promise<void> {
  const graph = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: fused.modelJson.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
    weightSpecs: fused.modelJson.weightsManifest[0].weights,
    weightData: fused.weightData.slice().buffer,
    format: 'graph-model'
  }))
  const spec = { width: 64, height: 64, channels: 3 as const, resizeMode: 'cover' as const, normalization: { mean: [127.5, 127.5, 127.5] as [number, number, number], std: [127.5, 127.5, 127.5] as [number, number, number] } }
  let maxDiff = 0
  for (const file of ['flower.jpg', 'flower-grey.jpg', 'flower-cmyk.jpg', 'flower-tiny-16x12.jpg']) {
    const input = normalizePixels((await preprocessImage(await readFixture('images', file), spec)).pixels, spec)
    const [expected, actual] = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, 64, 64, 3])
      return [(model.predict(x) as tf.Tensor).dataSync(), (graph.predict(x) as tf.Tensor).dataSync()]
    })
    t.equal(actual.length, 3)
    for (let i = 0; i < 3; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]))
  }
  t.ok(maxDiff < 1e-4, `max abs difference ${maxDiff.toExponential(2)} < 1e-4`)
  model.dispose()
  graph.dispose()
}

/** A small Inception-style block: stride-2 max pooling, parallel branches (one through SAME average pooling) concatenated. */
function inceptionStyleModel (size: number): tf.LayersModel {
  const seed = (n: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: n })
  const convBn = (x: tf.SymbolicTensor, filters: number, kernel: number, n: number): tf.SymbolicTensor => {
    let y = tf.layers.conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, kernelInitializer: seed(n) }).apply(x) as tf.SymbolicTensor
    y = tf.layers.batchNormalization({ epsilon: 1e-3, scale: false }).apply(y) as tf.SymbolicTensor
    return tf.layers.activation({ activation: 'relu' }).apply(y) as tf.SymbolicTensor
  }
  const input = tf.input({ shape: [size, size, 3], name: 'image' })
  let x = convBn(input, 8, 3, 1)
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor
  const a = convBn(x, 4, 1, 2)
  const b = convBn(convBn(x, 4, 1, 3), 6, 3, 4)
  const c = convBn(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as tf.SymbolicTensor, 4, 1, 5)
  x = tf.layers.concatenate({ axis: 3 }).apply([a, b, c]) as tf.SymbolicTensor
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor
  const output = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(6) }).apply(x) as tf.SymbolicTensor
  return withTrainedBatchNorms(tf.model({ inputs: input, outputs: output }), 20)
}

t.test('max pooling, SAME average pooling and concatenation (InceptionV3\'s layers) give the layers model\'s outputs', async t => {
  const model = inceptionStyleModel(64)
  const fused = fuseLayersModel(model)
  t.same(fused.stats, { 'Conv2D+BatchNormalization+Activation': 5, MaxPool: 1, AvgPool: 1, ConcatV2: 1, Mean: 1, 'Dense+softmax': 1 })
  await checkOutputs(t, model, fused)
})

t.test('a layer the fuser does not know is refused by name', async t => {
  const input = tf.input({ shape: [8, 8, 3] })
  const output = tf.layers.upSampling2d({ size: [2, 2], name: 'odd_upsampling' }).apply(input) as tf.SymbolicTensor
  t.throws(() => fuseLayersModel(tf.model({ inputs: input, outputs: output })), /layer odd_upsampling: UpSampling2D is not supported by the fuser/)
})
