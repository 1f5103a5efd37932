import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import t from 'tap'
import { decodeAndResize } from '../../../../services/image/decode.js'
import { nodePlacement, OnnxClassifier, PROVIDER_NAMES, placementTotals } from '../../../../services/engines/onnx/classifier.js'
import { checkExecutionProvider, prepareOnnxModel } from '../../../../services/engines/onnx/prepare.js'
import { projectRoot } from '../../../../services/common/project.js'
import { fixture, webgpuMissing, webgpuRequired } from '../../../helper.js'

const food = join(projectRoot, 'model/food')
const missing = await webgpuMissing()
if (missing && webgpuRequired) t.fail(`WEBGPU_TEST_REQUIRED=1 but ${missing}`)

/**
 * The shipped model on onnxruntime's WebGPU provider (lavapipe in CI: slow, a few seconds a batch) against the CPU
 * provider, on every committed photo. WebGPU computes in fp32 with its own kernels, so they are compared value by value.
 */
t.test('the shipped model on WebGPU gives every output of the CPU engine within 1e-4, and runs its convolutions there', { skip: missing }, async t => {
  await tf.setBackend('wasm')
  const cacheDir = await mkdtemp(join(tmpdir(), 'onnx-cache-'))
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }))
  const onnx = await prepareOnnxModel(food, { cacheDir, checkPhotosDir: fixture('photos'), maxPhotos: 4, precision: 'fp32' })

  const photosDir = fixture('photos')
  const photos = (await readdir(photosDir, { recursive: true })).filter(f => /\.(jpe?g|png)$/i.test(f)).sort()
  t.ok(photos.length >= 20, `${photos.length} photos`)
  const cpu = await OnnxClassifier.load(food, onnx, { intraOpThreads: 1, spinning: false })
  const gpu = await OnnxClassifier.load(food, onnx, { intraOpThreads: 1, spinning: false, executionProvider: 'webgpu' })
  t.teardown(async () => { await cpu.dispose(); await gpu.dispose() })
  t.equal(gpu.executionProvider, 'webgpu')
  let maxAbsDiff = 0
  let compared = 0
  const batch = 8
  for (let i = 0; i < photos.length; i += batch) {
    const names = photos.slice(i, i + batch)
    const inputs = await Promise.all(names.map(async p => (await decodeAndResize(await readFile(join(photosDir, p)), cpu.description.inputSpec)).pixels))
    const [expected, actual] = [await cpu.predictBatch(inputs), await gpu.predictBatch(inputs)]
    expected.forEach((row, r) => row.forEach((v, j) => {
      const diff = Math.abs(v - actual[r][j])
      if (!(diff <= 1e-4)) t.fail(`${names[r]}, output ${j}: ${actual[r][j]} on WebGPU, ${v} on the CPU`)
      maxAbsDiff = Math.max(maxAbsDiff, diff)
      compared++
    }))
  }
  t.equal(compared, photos.length * 2, 'two probabilities per photo')
  t.ok(maxAbsDiff <= 1e-4, `max |WebGPU - CPU| ${maxAbsDiff} over ${compared} values`)

  // onnxruntime falls back to the CPU for any node WebGPU has no kernel for, silently: its profile says where each ran.
  const one = [(await decodeAndResize(await readFile(join(photosDir, photos[0])), cpu.description.inputSpec)).pixels]
  const { placement } = await nodePlacement(food, onnx, { intraOpThreads: 1, spinning: false, executionProvider: 'webgpu' }, one)
  const onGpu = placement[PROVIDER_NAMES.webgpu] ?? {}
  t.ok((onGpu.Conv ?? 0) >= 50, `${onGpu.Conv} Conv nodes ran on WebGPU`)
  t.notOk(placement[PROVIDER_NAMES.cpu]?.Conv, 'no convolution fell back to the CPU')
  t.notOk(placement[PROVIDER_NAMES.cpu]?.Sum, 'nor a residual add (AddN of two terms is converted to Add: WebGPU has no Sum kernel)')
  t.same(Object.keys(placement[PROVIDER_NAMES.cpu] ?? {}).filter(op => !['Gather', 'Slice', 'Cast', 'Shape', 'Concat', 'Unsqueeze', 'Squeeze'].includes(op)), [],
    `only shape arithmetic stays on the CPU: ${JSON.stringify(placement[PROVIDER_NAMES.cpu])}`)
  t.ok(placementTotals(placement)[PROVIDER_NAMES.webgpu] > 2 * (placementTotals(placement)[PROVIDER_NAMES.cpu] ?? 0), `node runs: ${JSON.stringify(placementTotals(placement))}`)
  const onCpu = await nodePlacement(food, onnx, { intraOpThreads: 1, spinning: false }, one)
  t.same(Object.keys(onCpu.placement), [PROVIDER_NAMES.cpu], 'and the CPU engine runs everything on the CPU')

  const check = await checkExecutionProvider(food, onnx, photosDir, 'webgpu')
  t.equal(check.photos.length, 4)
  t.ok(check.maxAbsDiff <= 1e-4, `the boot's check: ${check.maxAbsDiff} on ${check.photos.join(', ')}`)
})
