/**
 * npm run gpu:check: what the WebGPU path does on this machine, in one short run, for a GPU machine when one is at
 * hand (it also runs on lavapipe, the software Vulkan, only slowly). Prints:
 *   1. the NVIDIA driver (nvidia-smi, else /proc/driver/nvidia/version);
 *   2. the Vulkan devices (vulkaninfo --summary when installed), the driver manifests, and the adapter WebGPU ran on;
 *   3. the backend the service chooses at boot (INFERENCE_BACKEND=auto, the built service) and why each better one
 *      was skipped, from GET /models/food;
 *   4. correctness: the shipped model on WebGPU against onnxruntime on the CPU on the committed photos, and where
 *      onnxruntime ran its nodes (WebGPU, or the CPU for nodes WebGPU has no kernel for);
 *   5. images/s at batch 1, 8 and 32: one WebGPU session against one CPU session using every core (intra-op
 *      threads), the model alone on pre-decoded photos (no HTTP, no decoding).
 *
 *   npm run gpu:check
 *   GPU_CHECK_SECONDS=5 GPU_CHECK_BATCHES=1,8,32 MODEL_DIR=model/food npm run gpu:check
 * GPU_CHECK_SECONDS: per batch size and engine, after one warm-up run and at least one timed run (default 10).
 */
import { execFileSync, execSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { selectBackend } from '../../services/engines/backend.js'
import { decodeAndResize } from '../../services/image/decode.js'
import { OnnxClassifier, placementTotals, type OrtSessionSettings } from '../../services/engines/onnx/classifier.js'
import { checkExecutionProvider, prepareOnnxModel } from '../../services/engines/onnx/prepare.js'
import type { Pixels } from '../../services/image/pixels.js'
import { projectRoot } from '../../services/common/project.js'
import { describeAdapter, probeWebGpu, vulkanDriverFiles } from '../../services/engines/webgpu.js'
import { startServer } from '../bench/server.js'

const modelDir = resolve(process.env.MODEL_DIR ?? join(projectRoot, 'model/food'))
const photosDir = join(projectRoot, 'test/fixtures/photos')
const seconds = Number(process.env.GPU_CHECK_SECONDS ?? 10)
const batches = (process.env.GPU_CHECK_BATCHES ?? '1,8,32').split(',').map(Number)
const cores = availableParallelism()

function run (command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 })
  } catch {
    return undefined
  }
}

console.log('== 1. NVIDIA driver')
const smi = run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'])
if (smi !== undefined) console.log(smi.trim())
else if (existsSync('/proc/driver/nvidia/version')) console.log(readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0])
else console.log('no NVIDIA driver (no nvidia-smi, no /proc/driver/nvidia/version)')

console.log('\n== 2. Vulkan')
const summary = run('vulkaninfo', ['--summary'])
if (summary !== undefined) {
  const devices = summary.split('\n').filter(l => /^\s*(GPU\d+:|deviceName|deviceType|driverName|driverInfo|apiVersion)/.test(l))
  console.log(devices.map(l => l.trim()).join('\n') || summary.trim())
} else {
  console.log('vulkaninfo not installed (apt-get install vulkan-tools to list every device)')
}
console.log(`driver manifests: ${vulkanDriverFiles().map(d => `${d.file} (${d.library})`).join(', ') || 'none'}`)
const status = await probeWebGpu()
console.log(status.usable
  ? `WebGPU runs, on ${status.adapter !== undefined ? `${describeAdapter(status.adapter)}${status.adapter.software ? ', a software rasteriser' : ''}` : 'an adapter the Vulkan loader did not name'}`
  : `WebGPU does not run: ${status.reason}`)

console.log('\n== 3. The backend the service chooses (INFERENCE_BACKEND=auto)')
execSync('npm run build --silent', { cwd: projectRoot, stdio: 'inherit' })
const server = await startServer({ INFERENCE_BACKEND: 'auto', MODEL_DIR: modelDir, ONNX_CHECK_PHOTOS: photosDir }, 300_000)
try {
  const info = await (await fetch(`${server.url}/models`)).json() as { models: Array<{ backend: { name: string, package: string, adapter?: { name: string, driver?: string, software: boolean }, skipped: Array<{ name: string, reason: string }> }, inference: { workers: number, maxBatchSize: number } }> }
  const { backend, inference } = info.models[0]
  console.log(`chosen: ${backend.name} (${backend.package})${backend.adapter !== undefined ? ` on ${describeAdapter(backend.adapter)}` : ''}; ${inference.workers} workers, batches of up to ${inference.maxBatchSize}`)
  for (const skipped of backend.skipped) console.log(`skipped ${skipped.name}: ${skipped.reason}`)
} finally {
  await server.stop()
}

if (!status.usable) {
  console.log('\nWebGPU does not run here: no correctness check, no figures.')
  process.exit(0)
}

console.log('\n== 4. Correctness: WebGPU against onnxruntime on the CPU')
await selectBackend('wasm')
const cacheDir = await mkdtemp(join(tmpdir(), 'gpu-check-'))
try {
  // WebGPU runs the fp32 graph (the service never serves int8 on it), and the CPU figures beside it are fp32 too.
  const onnx = await prepareOnnxModel(modelDir, { cacheDir, checkPhotosDir: photosDir, precision: 'fp32' })
  const check = await checkExecutionProvider(modelDir, onnx, photosDir, 'webgpu', { maxPhotos: 8 })
  console.log(`max |WebGPU - CPU| ${check.maxAbsDiff.toExponential(2)} over ${check.photos.length} photos x ${onnx.outputName} (tolerance ${check.tolerance})`)
  for (const [provider, ops] of Object.entries(check.placement)) {
    console.log(`${provider}: ${placementTotals(check.placement)[provider]} node runs (${Object.entries(ops).sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ')})`)
  }

  console.log(`\n== 5. Throughput: images/s, model only (${seconds} s per cell after a warm-up run)`)
  const names = (await readdir(photosDir, { recursive: true })).filter(f => /\.(jpe?g|png)$/i.test(f)).sort()
  const first = await OnnxClassifier.load(modelDir, onnx, { intraOpThreads: 1, spinning: false })
  const photos: Pixels[] = await Promise.all(names.map(async n => (await decodeAndResize(await readFile(join(photosDir, n)), first.description.inputSpec)).pixels))
  await first.dispose()
  const engines: Array<{ name: string, settings: OrtSessionSettings }> = [
    { name: 'webgpu', settings: { intraOpThreads: 1, spinning: false, executionProvider: 'webgpu' } },
    { name: `cpu (${cores} threads)`, settings: { intraOpThreads: cores, spinning: false } }
  ]
  const rows: string[][] = []
  for (const engine of engines) {
    const classifier = await OnnxClassifier.load(modelDir, onnx, engine.settings)
    const row = [engine.name]
    try {
      for (const size of batches) {
        const batch = Array.from({ length: size }, (_, i) => photos[i % photos.length])
        await classifier.predictBatch(batch)
        let runs = 0
        const started = performance.now()
        do {
          await classifier.predictBatch(batch)
          runs++
        } while (performance.now() - started < seconds * 1000)
        const elapsed = (performance.now() - started) / 1000
        row.push(`${(runs * size / elapsed).toFixed(1)} (${runs} runs, ${(elapsed * 1000 / runs).toFixed(0)} ms/batch)`)
        console.log(`${engine.name}, batch ${size}: ${row.at(-1)}`)
      }
    } finally {
      await classifier.dispose()
    }
    rows.push(row)
  }
  console.log(`\n| engine | ${batches.map(b => `batch ${b}`).join(' | ')} |\n|---|${batches.map(() => '---').join('|')}|`)
  for (const row of rows) console.log(`| ${row.join(' | ')} |`)
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
