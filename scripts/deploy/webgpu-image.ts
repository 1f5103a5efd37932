/**
 * The WebGPU image (deploy/Dockerfile.webgpu) in npm run test:containers: built (the image to deploy, and its
 * `lavapipe` target with Mesa's software Vulkan), then run three ways:
 *   - lavapipe, INFERENCE_BACKEND=webgpu: serves on WebGPU (a software adapter) and answers POST /predict on the
 *     committed photos with the labels the CPU image gives;
 *   - lavapipe, unforced (auto): skips webgpu, saying the adapter is a software rasteriser, serves on onnxruntime;
 *   - the image to deploy, unforced, no GPU here: skips webgpu, saying there is no Vulkan driver.
 */
import { freePort, httpGet } from './service-process.js'
import { podmanBuild, predictPhotos, ServiceContainer, buildSecrets, podman, type ContainerReport } from './containers.js'

export const WEBGPU_IMAGE = 'food-classifier:webgpu'
export const LAVAPIPE_IMAGE = 'food-classifier:webgpu-lavapipe'

interface Backend { name: string, forced: boolean, skipped: Array<{ name: string, reason: string }>, adapter?: { name: string, software: boolean } }

export interface WebgpuReport {
  problems: string[]
  buildMs: number
  imageBytes: number
  forced: { bootMs: number, backend?: Backend, predictions: ContainerReport['predictions'] }
  auto: { backend?: Backend, webgpuSkipped?: string }
  noDriver: { backend?: Backend, webgpuSkipped?: string }
}

async function backendOf (port: number): Promise<Backend | undefined> {
  const res = await httpGet(port, '/models/food', 5000)
  return res.status === 200 ? (JSON.parse(res.body ?? '{}') as { backend?: Backend }).backend : undefined
}

async function boot (image: string, env: Record<string, string>, containers: ServiceContainer[]): Promise<{ container: ServiceContainer, bootMs: number }> {
  const container = new ServiceContainer({ name: 'webgpu', port: await freePort(), env, image })
  containers.push(container)
  const bootMs = await container.waitReady(600_000)
  return { container, bootMs }
}

export async function runWebgpuImageTest (opts: { noCache?: boolean, log: (line: string) => void }): Promise<WebgpuReport> {
  const { log } = opts
  const problems: string[] = []
  const containers: ServiceContainer[] = []
  try {
    const started = Date.now()
    const common = ['-f', 'deploy/Dockerfile.webgpu', ...buildSecrets(), ...(opts.noCache === true ? ['--no-cache'] : [])]
    log(`podman build -f deploy/Dockerfile.webgpu -t ${WEBGPU_IMAGE}, then --target lavapipe -t ${LAVAPIPE_IMAGE}`)
    await podmanBuild([...common, '-t', WEBGPU_IMAGE, '.'], log)
    await podmanBuild([...common, '--target', 'lavapipe', '-t', LAVAPIPE_IMAGE, '.'], log)
    const buildMs = Date.now() - started
    const imageBytes = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', WEBGPU_IMAGE])).trim())
    log(`built in ${(buildMs / 1000).toFixed(0)} s; ${WEBGPU_IMAGE} ${(imageBytes / 1e6).toFixed(0)} MB`)

    // lavapipe takes seconds an image (tens on a busy machine): the boot's check on WebGPU can outlast the default
    // 2 minutes, and the default 30 s deadline would refuse the photos.
    const forcedRun = await boot(LAVAPIPE_IMAGE, { INFERENCE_BACKEND: 'webgpu', BOOT_TIMEOUT_MS: '600000', MAX_REQUEST_TIMEOUT_MS: '600000' }, containers)
    const forcedBackend = await backendOf(forcedRun.container.port)
    log(`${LAVAPIPE_IMAGE}, INFERENCE_BACKEND=webgpu: ready in ${forcedRun.bootMs} ms on ${forcedBackend?.name} (${forcedBackend?.adapter?.name ?? 'no adapter reported'})`)
    if (forcedBackend?.name !== 'webgpu') problems.push(`forced webgpu serves on ${forcedBackend?.name}`)
    const predictions = await predictPhotos(forcedRun.container.port)
    for (const p of predictions) if (p.status !== 200 || p.label !== p.expected) problems.push(`webgpu: POST /predict ${p.photo}: ${p.status} ${p.label}, expected 200 ${p.expected}`)
    log(`webgpu on lavapipe, POST /predict: ${predictions.filter(p => p.status === 200 && p.label === p.expected).length} of ${predictions.length} photos answered the label the CPU image gives`)
    await forcedRun.container.remove()

    const autoRun = await boot(LAVAPIPE_IMAGE, {}, containers)
    const autoBackend = await backendOf(autoRun.container.port)
    const autoSkipped = autoBackend?.skipped.find(s => s.name === 'webgpu')?.reason
    log(`${LAVAPIPE_IMAGE}, unforced: serves on ${autoBackend?.name}; webgpu skipped: ${autoSkipped}`)
    if (autoBackend?.name === 'webgpu' || !/software rasteriser/.test(autoSkipped ?? '')) problems.push(`auto on lavapipe: ${autoBackend?.name}, webgpu skipped for ${autoSkipped}`)
    await autoRun.container.remove()

    const plainRun = await boot(WEBGPU_IMAGE, {}, containers)
    const plainBackend = await backendOf(plainRun.container.port)
    const plainSkipped = plainBackend?.skipped.find(s => s.name === 'webgpu')?.reason
    log(`${WEBGPU_IMAGE}, unforced, no GPU: serves on ${plainBackend?.name}; webgpu skipped: ${plainSkipped}`)
    if (plainBackend?.name === 'webgpu' || !/no Vulkan driver/.test(plainSkipped ?? '')) problems.push(`auto without a GPU: ${plainBackend?.name}, webgpu skipped for ${plainSkipped}`)

    return {
      problems,
      buildMs,
      imageBytes,
      forced: { bootMs: forcedRun.bootMs, backend: forcedBackend, predictions },
      auto: { backend: autoBackend, webgpuSkipped: autoSkipped },
      noDriver: { backend: plainBackend, webgpuSkipped: plainSkipped }
    }
  } finally {
    if (problems.length > 0 && containers.length > 0) log(`logs of ${containers.at(-1)!.name}:\n${await containers.at(-1)!.logs(30)}`)
    await Promise.all(containers.map(async c => c.remove()))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runWebgpuImageTest({ log: line => console.log(`[webgpu image] ${line}`) })
  console.log(JSON.stringify({ ...report, forced: { ...report.forced, predictions: undefined } }, null, 2))
  process.exit(report.problems.length === 0 ? 0 : 1)
}
