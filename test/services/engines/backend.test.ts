import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BackendUnavailableError, nvidiaGpuStatus, selectBackend, type BackendLoader } from '../../../services/engines/backend.js'
import type { WebGpuStatus } from '../../../services/engines/webgpu.js'

interface World {
  installed?: string[]
  brokenPackages?: Record<string, string>
  gpu?: boolean
  failingBackends?: string[]
  webgpu?: WebGpuStatus
}

const NO_VULKAN = 'no Vulkan driver: no driver manifest (ICD JSON) in /etc/vulkan/icd.d, /usr/share/vulkan/icd.d'

/** A loader over a described world: which packages are installed, which fail to load, whether a GPU shows. */
function loader (world: World): BackendLoader & { activated: string[] } {
  const activated: string[] = []
  return {
    activated,
    async importPackage (name) {
      if (world.brokenPackages?.[name]) throw new Error(world.brokenPackages[name])
      if (!(world.installed ?? []).includes(name)) {
        throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/services/engines/backend.js`), { code: 'ERR_MODULE_NOT_FOUND' })
      }
      return {}
    },
    gpuStatus: () => world.gpu ? { visible: true } : { visible: false, reason: 'no NVIDIA driver (/proc/driver/nvidia/gpus is absent)' },
    async setBackend (name) {
      if (world.failingBackends?.includes(name)) return false
      activated.push(name)
      return true
    },
    webgpuStatus: async () => world.webgpu ?? { usable: false, reason: NO_VULKAN }
  }
}

const ALL = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']

t.test('tfjs-node-gpu with a visible GPU is chosen first', async t => {
  const l = loader({ installed: ALL, gpu: true })
  const choice = await selectBackend('auto', l)
  t.same({ name: choice.name, package: choice.package, tfjsBackend: choice.tfjsBackend, skipped: choice.skipped }, {
    name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', tfjsBackend: 'tensorflow', skipped: []
  })
  t.same(l.activated, ['tensorflow'])
})

t.test('tfjs-node-gpu without a GPU runs TensorFlow on the CPU, and says why the GPU was skipped', async t => {
  const choice = await selectBackend('auto', loader({ installed: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-wasm'], gpu: false }))
  t.equal(choice.name, 'tensorflow')
  t.equal(choice.package, '@tensorflow/tfjs-node-gpu')
  t.same(choice.skipped, [
    { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', reason: 'no GPU visible: no NVIDIA driver (/proc/driver/nvidia/gpus is absent)' },
    { name: 'webgpu', package: 'onnxruntime-node', reason: 'package not installed' },
    { name: 'onnxruntime', package: 'onnxruntime-node', reason: 'package not installed' }
  ])
})

t.test('tfjs-node alone gives the TensorFlow CPU backend', async t => {
  const choice = await selectBackend('auto', loader({ installed: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'] }))
  t.equal(choice.name, 'tensorflow')
  t.equal(choice.package, '@tensorflow/tfjs-node')
  t.same(choice.skipped.map(s => [s.name, s.reason]), [['tensorflow-gpu', 'package not installed'], ['webgpu', 'package not installed'], ['onnxruntime', 'package not installed']])
})

t.test('without the TensorFlow packages, wasm is chosen and each skip says the package is not installed', async t => {
  const choice = await selectBackend('auto', loader({ installed: ['@tensorflow/tfjs-backend-wasm'] }))
  t.equal(choice.name, 'wasm')
  t.equal(choice.forced, false)
  t.same(choice.skipped.map(s => [s.name, s.reason]), [
    ['tensorflow-gpu', 'package not installed'],
    ['webgpu', 'package not installed'],
    ['onnxruntime', 'package not installed'],
    ['tensorflow', '@tensorflow/tfjs-node: package not installed; @tensorflow/tfjs-node-gpu: package not installed']
  ])
})

t.test('a package that is installed but fails to load is skipped with its error text', async t => {
  const choice = await selectBackend('auto', loader({
    installed: ['@tensorflow/tfjs-backend-wasm'],
    brokenPackages: { '@tensorflow/tfjs-node': 'libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions' }
  }))
  t.equal(choice.name, 'wasm')
  t.match(choice.skipped[3].reason, '@tensorflow/tfjs-node: load error: libtensorflow.so.2: cannot open shared object file: No such file or directory; ')
  t.notMatch(choice.skipped[3].reason, /Module._extensions/)
})

t.test('cpu is the last resort when wasm cannot initialise', async t => {
  const choice = await selectBackend('auto', loader({ installed: ['@tensorflow/tfjs-backend-wasm'], failingBackends: ['wasm'] }))
  t.equal(choice.name, 'cpu')
  t.same(choice.skipped.map(s => s.name), ['tensorflow-gpu', 'webgpu', 'onnxruntime', 'tensorflow', 'wasm'])
  t.match(choice.skipped[4].reason, "backend 'wasm' failed to initialise")
})

t.test('a forced backend is used when it loads, without trying better ones', async t => {
  const l = loader({ installed: ALL, gpu: true })
  const choice = await selectBackend('wasm', l)
  t.equal(choice.name, 'wasm')
  t.equal(choice.forced, true)
  t.same(l.activated, ['wasm'])
})

t.test('a forced backend that cannot load stops with a clear message instead of falling back', async t => {
  await t.rejects(selectBackend('tensorflow-gpu', loader({ installed: ['@tensorflow/tfjs-node-gpu'], gpu: false })),
    new BackendUnavailableError('tensorflow-gpu', 'no GPU visible: no NVIDIA driver (/proc/driver/nvidia/gpus is absent)'))
  await t.rejects(selectBackend('tensorflow', loader({ installed: [] })), {
    name: 'BackendUnavailableError',
    message: /^INFERENCE_BACKEND=tensorflow was requested but cannot be used: @tensorflow\/tfjs-node: package not installed/
  })
})

t.test('the real loader on this machine: TensorFlow packages absent, no Vulkan GPU, onnxruntime chosen with wasm as its reference', async t => {
  const choice = await selectBackend('auto')
  t.equal(choice.name, 'onnxruntime', 'onnxruntime-node is a dependency; tfjs-node is not installed here (its install script needs the internet)')
  t.equal(choice.tfjsBackend, 'wasm')
  t.same(choice.skipped.map(s => s.name), ['tensorflow-gpu', 'webgpu'])
  t.match(choice.skipped[0].reason, /package not installed|no GPU visible/)
  t.match(choice.skipped[1].reason, /^no Vulkan driver: |the Vulkan adapter WebGPU gets is a software rasteriser: llvmpipe/, 'no Vulkan driver, or only lavapipe (CI)')
})

const WITH_ORT = [...ALL, 'onnxruntime-node']

t.test('the order is tensorflow-gpu (GPU visible), then onnxruntime, then tensorflow on the CPU', async t => {
  t.equal((await selectBackend('auto', loader({ installed: WITH_ORT, gpu: true }))).name, 'tensorflow-gpu', 'a visible GPU goes first')
  const l = loader({ installed: WITH_ORT, gpu: false })
  const choice = await selectBackend('auto', l)
  t.same({ name: choice.name, package: choice.package, tfjsBackend: choice.tfjsBackend }, { name: 'onnxruntime', package: 'onnxruntime-node', tfjsBackend: 'wasm' })
  t.same(choice.skipped.map(s => s.name), ['tensorflow-gpu', 'webgpu'])
  t.same(l.activated, ['wasm'], 'TF.js on wasm stays, to compute the reference the conversion is checked against')
})

t.test('onnxruntime without the wasm package checks its conversion on the pure-JS cpu backend', async t => {
  const l = loader({ installed: ['onnxruntime-node'] })
  const choice = await selectBackend('auto', l)
  t.equal(choice.name, 'onnxruntime')
  t.equal(choice.tfjsBackend, 'cpu')
})

t.test('a model onnxruntime cannot serve (conversion refused) falls back to the next backend, with the reason', async t => {
  const checked: string[] = []
  const check = async (name: string): Promise<void> => {
    checked.push(name)
    if (name === 'onnxruntime') throw new Error('the ONNX conversion of food disagrees with the TF.js graph: max |difference| 0.3')
  }
  const choice = await selectBackend('auto', loader({ installed: WITH_ORT, gpu: false }), check)
  t.equal(choice.name, 'tensorflow')
  t.same(choice.skipped.map(s => [s.name, s.reason]), [
    ['tensorflow-gpu', 'no GPU visible: no NVIDIA driver (/proc/driver/nvidia/gpus is absent)'],
    ['webgpu', NO_VULKAN],
    ['onnxruntime', 'the ONNX conversion of food disagrees with the TF.js graph: max |difference| 0.3']
  ])
  t.same(checked, ['onnxruntime', 'tensorflow'], 'each backend that loads is checked, in order')
  await t.rejects(selectBackend('onnxruntime', loader({ installed: WITH_ORT }), check), {
    name: 'BackendUnavailableError',
    message: 'INFERENCE_BACKEND=onnxruntime was requested but cannot be used: the ONNX conversion of food disagrees with the TF.js graph: max |difference| 0.3'
  })
})

const LAVAPIPE = { name: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'libvulkan_lvp.so', software: true }
const H100 = { name: 'NVIDIA H100 80GB HBM3', driver: 'libGLX_nvidia.so.0', software: false }

t.test('webgpu: auto takes a hardware Vulkan adapter, after tensorflow-gpu and before the CPU engines', async t => {
  const l = loader({ installed: WITH_ORT, gpu: false, webgpu: { usable: true, adapter: H100 } })
  const choice = await selectBackend('auto', l)
  t.same({ name: choice.name, package: choice.package, tfjsBackend: choice.tfjsBackend, forced: choice.forced, adapter: choice.adapter },
    { name: 'webgpu', package: 'onnxruntime-node', tfjsBackend: 'wasm', forced: false, adapter: H100 })
  t.same(choice.skipped.map(s => s.name), ['tensorflow-gpu'])
  t.same(l.activated, ['wasm'], 'TF.js on wasm, the reference of the ONNX conversion')
  t.equal((await selectBackend('auto', loader({ installed: WITH_ORT, gpu: true, webgpu: { usable: true, adapter: H100 } }))).name, 'tensorflow-gpu', 'tfjs-node-gpu with a GPU comes first')
})

t.test('webgpu: auto skips a software adapter and says which it was; forced, it takes it', async t => {
  const world = { installed: WITH_ORT, gpu: false, webgpu: { usable: true, adapter: LAVAPIPE } }
  const auto = await selectBackend('auto', loader(world))
  t.equal(auto.name, 'onnxruntime')
  t.equal(auto.adapter, undefined)
  t.same(auto.skipped[1], {
    name: 'webgpu',
    package: 'onnxruntime-node',
    reason: 'the Vulkan adapter WebGPU gets is a software rasteriser: llvmpipe (LLVM 15.0.6, 256 bits) (libvulkan_lvp.so) (INFERENCE_BACKEND=webgpu uses it anyway)'
  })
  const forced = await selectBackend('webgpu', loader(world))
  t.same({ name: forced.name, forced: forced.forced, adapter: forced.adapter, skipped: forced.skipped }, { name: 'webgpu', forced: true, adapter: LAVAPIPE, skipped: [] })
})

t.test('webgpu: an adapter the loader did not name is skipped by auto, taken when forced', async t => {
  const world = { installed: WITH_ORT, webgpu: { usable: true } }
  const auto = await selectBackend('auto', loader(world))
  t.equal(auto.name, 'onnxruntime')
  t.match(auto.skipped[1], { name: 'webgpu', reason: /did not say on which adapter/ })
  const forced = await selectBackend('webgpu', loader(world))
  t.equal(forced.name, 'webgpu')
  t.notOk('adapter' in forced)
})

t.test('webgpu: without Vulkan, auto skips it with the probe\'s reason; forced, the boot stops with it', async t => {
  const auto = await selectBackend('auto', loader({ installed: WITH_ORT }))
  t.same(auto.skipped[1], { name: 'webgpu', package: 'onnxruntime-node', reason: NO_VULKAN })
  await t.rejects(selectBackend('webgpu', loader({ installed: WITH_ORT })), new BackendUnavailableError('webgpu', NO_VULKAN))
  await t.rejects(selectBackend('webgpu', loader({ installed: ALL, webgpu: { usable: true, adapter: H100 } })),
    new BackendUnavailableError('webgpu', 'package not installed'), 'onnxruntime-node missing')
})

t.test('webgpu: the model check runs on it too, and a refusal falls back (auto) or stops the boot (forced)', async t => {
  const checked: string[] = []
  const check = async (name: string): Promise<void> => {
    checked.push(name)
    if (name === 'webgpu') throw new Error('food on webgpu disagrees with onnxruntime on the CPU: max |difference| 0.5')
  }
  const world = { installed: WITH_ORT, webgpu: { usable: true, adapter: H100 } }
  const choice = await selectBackend('auto', loader(world), check)
  t.equal(choice.name, 'onnxruntime')
  t.same(checked, ['webgpu', 'onnxruntime'])
  t.same(choice.skipped[1], { name: 'webgpu', package: 'onnxruntime-node', reason: 'food on webgpu disagrees with onnxruntime on the CPU: max |difference| 0.5' })
  await t.rejects(selectBackend('webgpu', loader(world), check), { name: 'BackendUnavailableError', message: /^INFERENCE_BACKEND=webgpu was requested but cannot be used: food on webgpu disagrees/ })
})

t.test('GPU visibility follows the driver and CUDA_VISIBLE_DEVICES', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'gpus-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  t.match(nvidiaGpuStatus({}, join(dir, 'absent')), { visible: false, reason: /is absent/ })
  t.match(nvidiaGpuStatus({}, dir), { visible: false, reason: /lists no GPU/ })
  await mkdir(join(dir, '0000:00:04.0'))
  t.same(nvidiaGpuStatus({}, dir), { visible: true })
  t.match(nvidiaGpuStatus({ CUDA_VISIBLE_DEVICES: '-1' }, dir), { visible: false, reason: /hides every GPU/ })
})
