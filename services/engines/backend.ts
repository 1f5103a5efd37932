import { existsSync, readdirSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { describeAdapter, probeWebGpu, type VulkanAdapter, type WebGpuStatus } from './webgpu.js'

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'onnxruntime' | 'tensorflow' | 'wasm' | 'cpu'
export type BackendPreference = BackendName | 'auto'

export interface SkippedBackend {
  name: BackendName
  package: string
  reason: string
}

export interface BackendChoice {
  /** The backend serving inference. */
  name: BackendName
  /** The package that provides it. */
  package: string
  /**
   * The TF.js backend current in this process ('tensorflow', 'wasm' or 'cpu'). On onnxruntime it runs no request:
   * it computes the reference the ONNX conversion is checked against.
   */
  tfjsBackend: string
  forced: boolean
  /** Each better backend that was not used, and why. */
  skipped: SkippedBackend[]
  /** webgpu: the Vulkan adapter it runs on, when the loader said which. */
  adapter?: VulkanAdapter
}

/** What selection needs from the outside world; tests replace it to walk every path. */
export interface BackendLoader {
  importPackage: (name: string) => Promise<unknown>
  /** Whether TensorFlow would see a GPU; `reason` says why not. */
  gpuStatus: () => { visible: boolean, reason?: string }
  /** Makes a registered TF.js backend current; false when it cannot initialise. */
  setBackend: (tfjsBackend: string) => Promise<boolean>
  /** Whether onnxruntime's WebGPU provider runs here, and on which Vulkan adapter (services/engines/webgpu.ts). */
  webgpuStatus: () => Promise<WebGpuStatus>
}

export class BackendUnavailableError extends Error {
  constructor (readonly backend: BackendName, reason: string) {
    super(`INFERENCE_BACKEND=${backend} was requested but cannot be used: ${reason}`)
    this.name = 'BackendUnavailableError'
  }
}

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu'
const CPU_PACKAGE = '@tensorflow/tfjs-node'
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm'
const CPU_JS_PACKAGE = '@tensorflow/tfjs-backend-cpu'
const ORT_PACKAGE = 'onnxruntime-node'

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu']

/** The backends that serve the model's ONNX conversion with onnxruntime-node (on the CPU, or on WebGPU). */
export function onOnnxRuntime (name: BackendName): boolean {
  return name === 'onnxruntime' || name === 'webgpu'
}

function describeImportError (err: unknown, pkg: string): string {
  const e = err as NodeJS.ErrnoException
  const message = String(e?.message ?? err)
  const notFound = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND' || /^Cannot find (package|module) /.test(message)
  if (notFound && message.includes(`'${pkg}'`)) {
    return 'package not installed'
  }
  return `load error: ${message.split('\n')[0]}`
}

type Attempt = { ok: true, package: string, tfjsBackend: string, adapter?: VulkanAdapter } | { ok: false, package: string, reason: string }

async function tryImport (loader: BackendLoader, pkg: string): Promise<string | undefined> {
  try {
    await loader.importPackage(pkg)
    return undefined
  } catch (err) {
    return describeImportError(err, pkg)
  }
}

async function activate (loader: BackendLoader, pkg: string, tfjsBackend: string): Promise<Attempt> {
  try {
    if (await loader.setBackend(tfjsBackend)) return { ok: true, package: pkg, tfjsBackend }
    return { ok: false, package: pkg, reason: `backend '${tfjsBackend}' failed to initialise` }
  } catch (err) {
    return { ok: false, package: pkg, reason: `backend '${tfjsBackend}' failed to initialise: ${(err as Error).message}` }
  }
}

/** The TF.js graph stays the reference each ONNX conversion is checked against: on wasm, else the pure-JS cpu backend. */
async function onnxReference (loader: BackendLoader): Promise<Attempt> {
  const wasmFailure = await tryImport(loader, WASM_PACKAGE)
  const reference = wasmFailure === undefined ? await activate(loader, WASM_PACKAGE, 'wasm') : await activate(loader, CPU_JS_PACKAGE, 'cpu')
  if (!reference.ok) return { ok: false, package: ORT_PACKAGE, reason: `no TF.js backend to check the conversion with: ${reference.reason}` }
  return { ok: true, package: ORT_PACKAGE, tfjsBackend: reference.tfjsBackend }
}

async function attempt (name: BackendName, loader: BackendLoader, forced: boolean): Promise<Attempt> {
  switch (name) {
    case 'tensorflow-gpu': {
      const failure = await tryImport(loader, GPU_PACKAGE)
      if (failure) return { ok: false, package: GPU_PACKAGE, reason: failure }
      const gpu = loader.gpuStatus()
      if (!gpu.visible) return { ok: false, package: GPU_PACKAGE, reason: `no GPU visible: ${gpu.reason ?? 'unknown'}` }
      return activate(loader, GPU_PACKAGE, 'tensorflow')
    }
    case 'tensorflow': {
      // tfjs-node-gpu runs on the CPU when no GPU is visible, so either package provides this backend.
      const gpuFailure = await tryImport(loader, GPU_PACKAGE)
      if (!gpuFailure) return activate(loader, GPU_PACKAGE, 'tensorflow')
      const cpuFailure = await tryImport(loader, CPU_PACKAGE)
      if (!cpuFailure) return activate(loader, CPU_PACKAGE, 'tensorflow')
      return { ok: false, package: CPU_PACKAGE, reason: `${CPU_PACKAGE}: ${cpuFailure}; ${GPU_PACKAGE}: ${gpuFailure}` }
    }
    case 'webgpu': {
      const failure = await tryImport(loader, ORT_PACKAGE)
      if (failure) return { ok: false, package: ORT_PACKAGE, reason: failure }
      const status = await loader.webgpuStatus()
      if (!status.usable) return { ok: false, package: ORT_PACKAGE, reason: status.reason ?? 'WebGPU is not usable' }
      // auto takes a GPU only: a software rasteriser runs the model far slower than the CPU engine. Forcing takes any.
      if (!forced) {
        if (status.adapter === undefined) {
          return { ok: false, package: ORT_PACKAGE, reason: 'WebGPU runs, but the Vulkan loader did not say on which adapter, so it may be a software one (INFERENCE_BACKEND=webgpu uses it anyway)' }
        }
        if (status.adapter.software) {
          return { ok: false, package: ORT_PACKAGE, reason: `the Vulkan adapter WebGPU gets is a software rasteriser: ${describeAdapter(status.adapter)} (INFERENCE_BACKEND=webgpu uses it anyway)` }
        }
      }
      const reference = await onnxReference(loader)
      return reference.ok && status.adapter !== undefined ? { ...reference, adapter: status.adapter } : reference
    }
    case 'onnxruntime': {
      const failure = await tryImport(loader, ORT_PACKAGE)
      if (failure) return { ok: false, package: ORT_PACKAGE, reason: failure }
      return onnxReference(loader)
    }
    case 'wasm': {
      const failure = await tryImport(loader, WASM_PACKAGE)
      if (failure) return { ok: false, package: WASM_PACKAGE, reason: failure }
      return activate(loader, WASM_PACKAGE, 'wasm')
    }
    case 'cpu':
      return activate(loader, CPU_JS_PACKAGE, 'cpu')
  }
}

/**
 * Whether the model can be served on a backend that loaded (the onnxruntime engine needs a checked conversion of
 * it): resolves, or throws an Error whose message is the reason to skip that backend.
 */
export type BackendCheck = (name: BackendName) => Promise<void>

async function attemptWithCheck (name: BackendName, loader: BackendLoader, forced: boolean, check?: BackendCheck): Promise<Attempt> {
  const result = await attempt(name, loader, forced)
  if (!result.ok || check === undefined) return result
  try {
    await check(name)
    return result
  } catch (err) {
    return { ok: false, package: result.package, reason: (err as Error).message }
  }
}

/**
 * Picks the best backend that loads, in the order tensorflow-gpu (tfjs-node-gpu with a visible GPU), webgpu
 * (onnxruntime-node's WebGPU provider on a Vulkan GPU, not a software rasteriser), onnxruntime (onnxruntime-node on
 * the CPU, with the model converted and checked), tensorflow (tfjs-node-gpu or tfjs-node on the CPU), wasm, cpu.
 * A forced backend that cannot load is an error, never a silent fallback.
 */
export async function selectBackend (preference: BackendPreference, loader: BackendLoader = defaultBackendLoader, check?: BackendCheck): Promise<BackendChoice> {
  if (preference !== 'auto') {
    const result = await attemptWithCheck(preference, loader, true, check)
    if (!result.ok) throw new BackendUnavailableError(preference, result.reason)
    return choice(preference, result, true, [])
  }
  const skipped: SkippedBackend[] = []
  for (const name of BACKEND_ORDER) {
    const result = await attemptWithCheck(name, loader, false, check)
    if (result.ok) return choice(name, result, false, skipped)
    skipped.push({ name, package: result.package, reason: result.reason })
  }
  throw new Error(`No inference backend could be initialised: ${skipped.map(s => `${s.name}: ${s.reason}`).join('; ')}`)
}

function choice (name: BackendName, result: Extract<Attempt, { ok: true }>, forced: boolean, skipped: SkippedBackend[]): BackendChoice {
  return { name, package: result.package, tfjsBackend: result.tfjsBackend, forced, skipped, ...(result.adapter === undefined ? {} : { adapter: result.adapter }) }
}

/** A GPU is visible to TensorFlow when the NVIDIA driver lists one and CUDA_VISIBLE_DEVICES does not hide it. */
export function nvidiaGpuStatus (env: NodeJS.ProcessEnv = process.env, procDir = '/proc/driver/nvidia/gpus'): { visible: boolean, reason?: string } {
  const visibleDevices = env.CUDA_VISIBLE_DEVICES
  if (visibleDevices !== undefined && (visibleDevices.trim() === '' || visibleDevices.trim() === '-1')) {
    return { visible: false, reason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(visibleDevices)} hides every GPU` }
  }
  if (!existsSync(procDir)) return { visible: false, reason: `no NVIDIA driver (${procDir} is absent)` }
  const gpus = readdirSync(procDir)
  if (gpus.length === 0) return { visible: false, reason: `the NVIDIA driver lists no GPU in ${procDir}` }
  return { visible: true }
}

export const defaultBackendLoader: BackendLoader = {
  importPackage: (name) => import(name),
  gpuStatus: () => nvidiaGpuStatus(),
  async setBackend (tfjsBackend) {
    const ok = await tf.setBackend(tfjsBackend)
    if (ok) await tf.ready()
    return ok && tf.getBackend() === tfjsBackend
  },
  webgpuStatus: () => probeWebGpu()
}
