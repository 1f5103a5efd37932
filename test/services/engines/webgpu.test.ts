import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { adapterFromLoaderLog, describeAdapter, isSoftwareAdapter, nvidiaModel, probeWebGpu, vulkanDriverFiles, vulkanDriverSearch } from '../../../services/engines/webgpu.js'
import { webgpuMissing, webgpuRequired } from '../../helper.js'

// Excerpts of the Vulkan loader's log (VK_LOADER_DEBUG=driver) around WebGPU's device creation.
const LOADER_1_3 = `INFO | DRIVER:    linux_read_sorted_physical_devices:
INFO | DRIVER:         Original order:
INFO | DRIVER:               [0] llvmpipe (LLVM 15.0.6, 256 bits)
INFO | DRIVER:         Sorted order:
INFO | DRIVER:               [0] llvmpipe (LLVM 15.0.6, 256 bits)
Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.
DRIVER:           vkCreateDevice layer callstack setup to:
DRIVER:              <Application>
DRIVER:                ||
DRIVER:              <Device>
DRIVER:                  Using "llvmpipe (LLVM 15.0.6, 256 bits)" with driver: "libvulkan_lvp.so"
`
const TWO_DEVICES = `INFO:             linux_read_sorted_physical_devices:
INFO:                  Original order:
INFO:                        [0] llvmpipe (LLVM 15.0.6, 256 bits)
INFO:                        [1] NVIDIA H100 80GB HBM3
INFO:                  Sorted order:
INFO:                        [0] NVIDIA H100 80GB HBM3
INFO:                        [1] llvmpipe (LLVM 15.0.6, 256 bits)
`

t.test('the adapter comes from the loader log: the device WebGPU created, else the first of the sorted list', async t => {
  t.same(adapterFromLoaderLog(LOADER_1_3), { name: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'libvulkan_lvp.so', software: true })
  t.same(adapterFromLoaderLog(TWO_DEVICES), { name: 'NVIDIA H100 80GB HBM3', software: false }, 'a loader that does not log the device: the GPU sorted first')
  t.same(adapterFromLoaderLog(`${TWO_DEVICES}\n  Using "NVIDIA H100 80GB HBM3" with driver: "libGLX_nvidia.so.0"\n`), { name: 'NVIDIA H100 80GB HBM3', driver: 'libGLX_nvidia.so.0', software: false })
  t.equal(adapterFromLoaderLog('Error: Failed to get a WebGPU adapter: No supported adapters'), undefined)
  t.equal(describeAdapter({ name: 'NVIDIA H100 80GB HBM3', driver: 'libGLX_nvidia.so.0', software: false }), 'NVIDIA H100 80GB HBM3 (libGLX_nvidia.so.0)')
})

t.test('software rasterisers are told apart by name or by driver library', async t => {
  for (const name of ['llvmpipe (LLVM 19.1.7, 256 bits)', 'SwiftShader Device (Subzero)', 'softpipe']) t.ok(isSoftwareAdapter(name), name)
  t.ok(isSoftwareAdapter('some renamed device', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so'))
  for (const name of ['NVIDIA H100 80GB HBM3', 'AMD Radeon RX 7900 XTX (RADV NAVI31)', 'Intel(R) Arc(tm) A770 Graphics (DG2)']) t.notOk(isSoftwareAdapter(name), name)
})

t.test('driver manifests: VK_DRIVER_FILES or VK_ICD_FILENAMES first, else the XDG directories', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'icd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const icd = join(dir, 'share/vulkan/icd.d')
  await mkdir(icd, { recursive: true })
  await writeFile(join(icd, 'nvidia_icd.json'), JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.3.277' } }))
  await writeFile(join(icd, 'lvp_icd.json'), JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: 'libvulkan_lvp.so' } }))
  await writeFile(join(icd, 'broken.json'), '{ not json')
  const env = { HOME: join(dir, 'home'), XDG_CONFIG_DIRS: join(dir, 'etc'), XDG_DATA_DIRS: join(dir, 'share') }
  t.ok(vulkanDriverSearch(env).dirs.includes(icd))
  t.ok(vulkanDriverSearch(env).dirs.includes('/etc/vulkan/icd.d'), 'and /etc/vulkan/icd.d, where the NVIDIA toolkit mounts its manifest')
  t.same(vulkanDriverFiles({ ...env, XDG_CONFIG_DIRS: '/nonexistent' }).filter(d => d.file.startsWith(dir)).map(d => d.library), ['libvulkan_lvp.so', 'libGLX_nvidia.so.0'], 'parsable manifests, sorted')
  t.same(vulkanDriverFiles({ VK_DRIVER_FILES: join(icd, 'nvidia_icd.json') }).map(d => d.library), ['libGLX_nvidia.so.0'])
  t.same(vulkanDriverFiles({ VK_ICD_FILENAMES: `${join(icd, 'lvp_icd.json')}:/nonexistent.json` }).map(d => d.library), ['libvulkan_lvp.so'])
})

t.test('the NVIDIA driver names its GPU in /proc/driver/nvidia/gpus/<bus>/information', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'nvidia-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  t.equal(nvidiaModel(join(dir, 'absent')), undefined)
  await mkdir(join(dir, '0000:00:04.0'))
  await writeFile(join(dir, '0000:00:04.0/information'), 'Model: \t\t NVIDIA H200\nIRQ:  48\nGPU UUID: GPU-1\n')
  t.equal(nvidiaModel(dir), 'NVIDIA H200')
})

t.test('the probe says why WebGPU cannot run: no driver manifest, or a driver that gives no adapter', async t => {
  const none = await probeWebGpu({ env: { ...process.env, VK_DRIVER_FILES: '/nonexistent/icd.json' } })
  t.same(none, { usable: false, reason: "no Vulkan driver: no driver manifest (ICD JSON) in /nonexistent/icd.json (Debian: libvulkan1 and mesa-vulkan-drivers; NVIDIA: the driver's Vulkan files, in a container NVIDIA_DRIVER_CAPABILITIES with graphics)" })

  const dir = await mkdtemp(join(tmpdir(), 'icd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const manifest = join(dir, 'missing_icd.json')
  await writeFile(manifest, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: join(dir, 'libvulkan_missing.so') } }))
  const broken = await probeWebGpu({ env: { ...process.env, VK_DRIVER_FILES: manifest, VK_ICD_FILENAMES: manifest } })
  t.equal(broken.usable, false)
  t.match(broken.reason, /^a WebGPU session could not run \(the probe exited with code 1\): /, String(broken.reason))
})

const missing = await webgpuMissing()
if (missing && webgpuRequired) t.fail(`WEBGPU_TEST_REQUIRED=1 but ${missing}`)
t.test('on this machine: WebGPU runs the probe graph and names its adapter', { skip: missing }, async t => {
  const status = await probeWebGpu()
  t.equal(status.usable, true)
  t.ok(status.adapter, `adapter: ${status.adapter === undefined ? 'not named' : describeAdapter(status.adapter)}`)
  if (status.adapter?.software) t.match(status.adapter, { name: /^llvmpipe/, driver: /libvulkan_lvp\.so/ }, 'lavapipe, as CI installs it')
})
