import t from 'tap'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { fusedFeatureGraph, loadFeatureExtractor } from '../../../scripts/train/backbones.js'
import { inputSpecFor, mirrorPixels } from '../../../scripts/train/features.js'
import { onnxExtractor } from '../../../scripts/train/onnx-features.js'
import { maxAbsDiff } from '../../../scripts/train/verify.js'

t.before(async () => { await tf.setBackend('wasm'); await tf.ready() })

t.test('mirrorPixels flips each row of an HWC image, channels kept together', async t => {
  // 3 wide, 2 high, RGB: pixel (x, y) = [10y + x, 100 + 10y + x, 200 + x]
  const px = Uint8Array.from([0, 100, 200, 1, 101, 201, 2, 102, 202, 10, 110, 200, 11, 111, 201, 12, 112, 202])
  t.same([...mirrorPixels(px, 3, 2)], [2, 102, 202, 1, 101, 201, 0, 100, 200, 12, 112, 202, 11, 111, 201, 10, 110, 200])
  t.same([...mirrorPixels(mirrorPixels(px, 3, 2), 3, 2)], [...px], 'twice is the identity')
})

t.test('mobilenet_v2 features on onnxruntime (fused graph, the service converter) = TF.js on wasm', async t => {
  const fe = await loadFeatureExtractor(tf, 'mobilenet_v2')
  t.teardown(() => { fe.dispose() })
  const onnx = await onnxExtractor((await fusedFeatureGraph(tf, 'mobilenet_v2')).fused, fe.dim, 1, 'mobilenet_v2')
  t.teardown(async () => { await onnx.dispose() })
  const spec = inputSpecFor('mobilenet_v2')
  const x = tf.randomUniform([2, spec.height, spec.width, 3], 0, 1, 'float32', 5) as tf.Tensor4D
  t.teardown(() => { x.dispose() })
  const expected = await fe.extract(x).array() as number[][]
  const out = await onnx.run(await x.data() as Float32Array, 2, spec.width)
  const got = [Array.from(out.subarray(0, fe.dim)), Array.from(out.subarray(fe.dim))]
  t.equal(out.length, 2 * fe.dim)
  t.ok(maxAbsDiff(got, expected) < 1e-4, `onnxruntime vs TF.js: ${maxAbsDiff(got, expected)}`)
})
