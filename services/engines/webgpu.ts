import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { encodeModel, OnnxDataType } from './onnx/proto.js'

/** The Vulkan device WebGPU (Dawn, inside onnxruntime-node) runs on. */
export interface VulkanAdapter {
  /** As the driver names it, e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  name: string
  /** The driver library the Vulkan loader used (libvulkan_lvp.so, libGLX_nvidia.so.0), when it said. */
  driver?: string
  /** A CPU rasteriser (Mesa's lavapipe, SwiftShader): WebGPU works on it, but slower than the CPU engine. */
  software: boolean
}

export interface WebGpuStatus {
  /** A WebGPU session ran a small graph and gave the right answer. */
  usable: boolean
  /** The adapter it ran on, when the Vulkan loader (or the NVIDIA driver) said which one. */
  adapter?: VulkanAdapter
  /** Why it is not usable. */
  reason?: string
}

export interface VulkanDriverFile {
  file: string
  /** ICD.library_path of the manifest. */
  library: string
}

const SOFTWARE_NAME = /llvmpipe|lavapipe|softpipe|swiftshader/i
const SOFTWARE_DRIVER = /vulkan_lvp|swiftshader/i

export function isSoftwareAdapter (name: string, driver?: string): boolean {
  return SOFTWARE_NAME.test(name) || (driver !== undefined && SOFTWARE_DRIVER.test(driver))
}

/**
 * Where the Vulkan loader looks for driver manifests (ICD JSON files), in its order: VK_DRIVER_FILES or
 * VK_ICD_FILENAMES when set, otherwise the XDG config and data directories (/etc/vulkan/icd.d, /usr/share/...).
 */
export function vulkanDriverSearch (env: NodeJS.ProcessEnv = process.env): { files?: string[], dirs: string[] } {
  const explicit = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES
  if (explicit !== undefined && explicit !== '') return { files: explicit.split(':').filter(Boolean), dirs: [] }
  const home = env.HOME ?? homedir()
  const configDirs = [env.XDG_CONFIG_HOME ?? join(home, '.config'), ...(env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':'), '/etc']
  const dataDirs = [env.XDG_DATA_HOME ?? join(home, '.local/share'), ...(env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':')]
  return { dirs: [...new Set([...configDirs, ...dataDirs].filter(Boolean).map(d => join(d, 'vulkan/icd.d')))] }
}

/** The driver manifests the Vulkan loader would read; a manifest it cannot parse is left out. */
export function vulkanDriverFiles (env: NodeJS.ProcessEnv = process.env): VulkanDriverFile[] {
  const search = vulkanDriverSearch(env)
  const files = search.files ?? search.dirs.flatMap(dir => {
    try {
      return readdirSync(dir).filter(f => f.endsWith('.json')).sort().map(f => join(dir, f))
    } catch {
      return []
    }
  })
  return files.flatMap(file => {
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: string } }
      return typeof manifest.ICD?.library_path === 'string' ? [{ file, library: manifest.ICD.library_path }] : []
    } catch {
      return []
    }
  })
}

/**
 * The adapter named in the Vulkan loader's log (VK_LOADER_DEBUG=driver): the device WebGPU created, which loaders
 * from 1.3.2xx report as `Using "<name>" with driver: "<library>"`; else the first of the loader's sorted
 * physical devices (discrete GPUs first, as Dawn prefers them for high performance).
 */
export function adapterFromLoaderLog (log: string): VulkanAdapter | undefined {
  const used = [...log.matchAll(/Using "([^"]+)" with driver: "([^"]+)"/g)].at(-1)
  if (used !== undefined) return { name: used[1], driver: used[2], software: isSoftwareAdapter(used[1], used[2]) }
  const sorted = /Sorted order:\s*\n[^\n]*?\[0\]\s*([^\n]+?)\s*(\n|$)/.exec(log)
  if (sorted !== undefined && sorted !== null) return { name: sorted[1], software: isSoftwareAdapter(sorted[1]) }
  return undefined
}

/** The NVIDIA driver's model name of its first GPU (/proc/driver/nvidia/gpus/<bus>/information). */
export function nvidiaModel (procDir = '/proc/driver/nvidia/gpus'): string | undefined {
  if (!existsSync(procDir)) return undefined
  for (const gpu of readdirSync(procDir).sort()) {
    try {
      const model = /^Model:\s*(.+)$/m.exec(readFileSync(join(procDir, gpu, 'information'), 'utf8'))
      if (model !== null) return model[1].trim()
    } catch {}
  }
  return undefined
}

/** y = x * w + b on four values: small, but a real WebGPU pipeline (shader, buffers, read back). */
function probeModel (): { bytes: Uint8Array, input: number[], expected: number[] } {
  const w = new Float32Array([0.5, -2, 3, 0.25])
  const b = new Float32Array([1, 1, -1, 0])
  const tensor = (name: string, values: Float32Array) => ({ name, dims: [4], data_type: OnnxDataType.float32, raw_data: new Uint8Array(values.buffer) })
  const info = (name: string) => ({ name, type: { tensor_type: { elem_type: OnnxDataType.float32, shape: { dim: [{ dim_value: 4 }] } } } })
  const bytes = encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'food-classifier-webgpu-probe',
    producer_version: '1',
    graph: {
      name: 'probe',
      node: [
        { name: 'mul', op_type: 'Mul', input: ['x', 'w'], output: ['xw'], attribute: [] },
        { name: 'add', op_type: 'Add', input: ['xw', 'b'], output: ['y'], attribute: [] }
      ],
      initializer: [tensor('w', w), tensor('b', b)],
      input: [info('x')],
      output: [info('y')]
    }
  })
  const input = [2, 3, 4, 8]
  return { bytes, input, expected: input.map((x, i) => x * w[i] + b[i]) }
}

// Runs in a child process: a driver that crashes or hangs takes the probe down, not the server.
const PROBE_SCRIPT = `
const ort = await import(process.env.WEBGPU_PROBE_ORT)
const probe = JSON.parse(process.env.WEBGPU_PROBE)
const session = await ort.InferenceSession.create(Buffer.from(probe.model, 'base64'), { executionProviders: ['webgpu'] })
const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(probe.input), [4]) })
process.stdout.write('WEBGPU_PROBE_RESULT ' + JSON.stringify(Array.from(out.y.data)) + '\\n')
await session.release()
`

export interface WebGpuProbeOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  nvidiaProcDir?: string
}

/** The first line of the child's error that says what went wrong (ORT's message, or Dawn's warning). */
function failureOf (stderr: string): string {
  const lines = stderr.split('\n').map(l => l.trim())
  const adapter = lines.find(l => /Failed to get a WebGPU adapter/.test(l))
  const vulkan = lines.find(l => /vkCreateInstance failed|VK_ERROR/.test(l))
  const error = lines.find(l => /^Error:/.test(l))
  const found = [adapter?.replace(/^.*?(Failed to get a WebGPU adapter)/, '$1') ?? error, vulkan].filter(Boolean)
  return found.length > 0 ? found.join('; ') : (lines.filter(l => l !== '' && !/^(DRIVER|INFO|DEBUG|WARNING|ERROR)\b|\|/.test(l)).at(-1) ?? 'no output')
}

/**
 * Whether onnxruntime-node's WebGPU provider runs here, and on which Vulkan adapter: a child process creates a
 * WebGPU session for a four-value graph, runs it and checks the answer, with the Vulkan loader's log on
 * (VK_LOADER_DEBUG=driver) so that it names the device. Without any Vulkan driver manifest it does not start one.
 */
export async function probeWebGpu (options: WebGpuProbeOptions = {}): Promise<WebGpuStatus> {
  const env = options.env ?? process.env
  const drivers = vulkanDriverFiles(env)
  if (drivers.length === 0) {
    const search = vulkanDriverSearch(env)
    const where = search.files?.join(', ') ?? search.dirs.filter(d => d.startsWith('/etc') || d.startsWith('/usr')).join(', ')
    return { usable: false, reason: `no Vulkan driver: no driver manifest (ICD JSON) in ${where} (Debian: libvulkan1 and mesa-vulkan-drivers; NVIDIA: the driver's Vulkan files, in a container NVIDIA_DRIVER_CAPABILITIES with graphics)` }
  }
  const probe = probeModel()
  const timeoutMs = options.timeoutMs ?? 30_000
  const result = await new Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, timedOut: boolean }>(resolve => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT], {
      env: {
        ...env,
        VK_LOADER_DEBUG: 'driver',
        WEBGPU_PROBE_ORT: import.meta.resolve('onnxruntime-node'),
        WEBGPU_PROBE: JSON.stringify({ model: Buffer.from(probe.bytes).toString('base64'), input: probe.input })
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
    child.on('error', err => {
      clearTimeout(timer)
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}\nError: ${err.message}`, timedOut })
    })
  })

  let adapter = adapterFromLoaderLog(result.stderr)
  if (adapter === undefined && drivers.some(d => /nvidia/i.test(d.library) || /nvidia/i.test(d.file)) && !drivers.some(d => SOFTWARE_DRIVER.test(d.library))) {
    // A loader too old to name the device: with only NVIDIA's driver installed, the device is the NVIDIA GPU.
    const model = nvidiaModel(options.nvidiaProcDir)
    if (model !== undefined) adapter = { name: model, driver: drivers.find(d => /nvidia/i.test(d.library))?.library, software: false }
  }
  const withAdapter = adapter === undefined ? {} : { adapter }
  if (result.timedOut) return { usable: false, ...withAdapter, reason: `the WebGPU probe did not finish in ${timeoutMs} ms` }
  const line = result.stdout.split('\n').find(l => l.startsWith('WEBGPU_PROBE_RESULT '))
  if (result.code !== 0 || line === undefined) {
    const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${result.code}`
    return { usable: false, ...withAdapter, reason: `a WebGPU session could not run (the probe ${how}): ${failureOf(result.stderr)}` }
  }
  const output = JSON.parse(line.slice('WEBGPU_PROBE_RESULT '.length)) as number[]
  const wrong = probe.expected.some((v, i) => Math.abs(v - output[i]) > 1e-5)
  if (wrong) return { usable: false, ...withAdapter, reason: `WebGPU gave a wrong answer on the probe graph: [${output.join(', ')}] instead of [${probe.expected.join(', ')}]` }
  return { usable: true, ...withAdapter }
}

/** The adapter as a log line or a skip reason shows it. */
export function describeAdapter (adapter: VulkanAdapter): string {
  return `${adapter.name}${adapter.driver !== undefined ? ` (${adapter.driver})` : ''}`
}
