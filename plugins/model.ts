import fp from 'fastify-plugin'
import { onOnnxRuntime, selectBackend, type BackendChoice, type BackendLoader } from '../services/engines/backend.js'
import { ModelRegistry } from '../services/models/registry.js'
import { ModelRepository, SingleModelSource, parseVersionPolicies, policyFor, selectVersions, type ModelSource } from '../services/models/repository.js'
import { placementTotals } from '../services/engines/onnx/classifier.js'
import { checkExecutionProvider, prepareOnnxModel, type PreparedOnnxModel } from '../services/engines/onnx/prepare.js'
import { removeStaleTempFiles } from '../services/common/atomic-file.js'
import { parseList } from '../services/common/config.js'
import type { WorkerEvent } from '../services/engines/runners.js'
import { ServedModel, resolveInferenceSettings } from '../services/models/served-model.js'
import { describeAdapter } from '../services/engines/webgpu.js'

declare module 'fastify' {
  interface FastifyInstance {
    backend: BackendChoice
    models: ModelRegistry
  }
  interface FastifyRequest {
    /** The model version that answered this request, for logs and metrics. */
    servedBy: { name: string, version: string, repositoryVersion: number } | null
  }
}

export interface ModelPluginOptions {
  /** Replaces the real package loader, so tests can walk every backend path. */
  backendLoader?: BackendLoader
}

/** Which models load at boot: the default one, those LOAD_MODELS names, or every one in the repository. */
async function bootModels (source: ModelSource, defaultModel: string, loadModels: string): Promise<string[]> {
  if (loadModels === '*') {
    const all = (await source.scan()).map(m => m.name)
    return [defaultModel, ...all.filter(n => n !== defaultModel)]
  }
  return [...new Set([defaultModel, ...parseList(loadModels)])]
}

export default fp<ModelPluginOptions>(async function model (fastify, opts) {
  const { config, log } = fastify
  const source: ModelSource = config.MODEL_DIR !== undefined ? new SingleModelSource(config.MODEL_DIR) : new ModelRepository(config.MODEL_REPOSITORY)
  const policies = parseVersionPolicies(config.VERSION_POLICY)
  const defaultModel = config.MODEL_DIR !== undefined ? (await source.scan())[0].name : config.DEFAULT_MODEL
  const found = await source.find(defaultModel)
  if (found === undefined || found.versions.length === 0) {
    throw new Error(`DEFAULT_MODEL=${defaultModel}: no such model in the repository ${source.location} (models there: ${(await source.scan()).map(m => m.name).join(', ') || 'none'})`)
  }
  const [checkVersion] = selectVersions(found.versions.map(v => v.version), policyFor(policies, defaultModel)).slice(-1)
  const checkDirectory = found.versions.find(v => v.version === checkVersion)?.directory ?? found.versions[found.versions.length - 1].directory

  // A conversion cut by SIGKILL or a full disk left its temp file: no later boot would reuse it.
  const removed = await removeStaleTempFiles(config.ONNX_CACHE_DIR)
  if (removed.length > 0) log.warn({ cacheDir: config.ONNX_CACHE_DIR, removed }, `removed ${removed.length} temp files left in ${config.ONNX_CACHE_DIR} by an earlier process`)
  const warn = (message: string, details?: Record<string, unknown>): void => log.warn(details ?? {}, message)
  const onnxOptions = { cacheDir: config.ONNX_CACHE_DIR, checkPhotosDir: config.ONNX_CHECK_PHOTOS, precision: config.ONNX_PRECISION, warn }
  // WebGPU runs the fp32 graph: its provider has no integer convolution kernels.
  const onnxFor = (backendName: string) => backendName === 'webgpu' ? { ...onnxOptions, precision: 'fp32' as const } : onnxOptions
  // onnxruntime serves only a conversion that reproduces the TF.js graph, and webgpu only one that also reproduces
  // onnxruntime's CPU answers on this adapter; otherwise the next backend is used. The default model decides; a
  // model loaded later that does not convert fails its load, with the reason.
  const logPrecision = (onnx: PreparedOnnxModel): void => {
    if (onnx.int8 !== undefined) {
      log.info({ onnx: onnx.path, precision: 'int8', ...onnx.int8.check }, `int8 graph served (calibrated on ${onnx.int8.calibrationPhotos} photos): max |probability difference| from fp32 ${onnx.int8.check.maxAbsDiff.toFixed(4)} on ${onnx.int8.check.photos} photos`)
    } else if (onnx.int8Skipped !== undefined) {
      log.warn({ precision: 'fp32', reason: onnx.int8Skipped }, `int8 not used, serving fp32: ${onnx.int8Skipped}`)
    }
  }
  const backend = await selectBackend(config.INFERENCE_BACKEND, opts.backendLoader, async name => {
    if (!onOnnxRuntime(name)) return
    const onnx = await prepareOnnxModel(checkDirectory, onnxFor(name))
    const { check } = onnx
    log.info({ onnx: onnx.path, fromCache: onnx.fromCache, maxAbsDiff: check.maxAbsDiff, photos: check.photos.length },
      onnx.fromCache ? `ONNX model from the cache: ${onnx.path}` : `model converted to ONNX (${onnx.path}), max |difference| from the TF.js graph ${check.maxAbsDiff} on ${check.photos.length} photos`)
    logPrecision(onnx)
    if (name !== 'webgpu') return
    const gpu = await checkExecutionProvider(checkDirectory, onnx, config.ONNX_CHECK_PHOTOS, 'webgpu')
    log.info({ maxAbsDiff: gpu.maxAbsDiff, photos: gpu.photos.length, nodeRuns: placementTotals(gpu.placement), placement: gpu.placement },
      `webgpu checked against onnxruntime on the CPU: max |difference| ${gpu.maxAbsDiff} on ${gpu.photos.length} photos; node runs ${JSON.stringify(placementTotals(gpu.placement))}`)
  })
  for (const skipped of backend.skipped) {
    log.info({ backend: skipped.name, package: skipped.package, reason: skipped.reason }, `backend ${skipped.name} skipped: ${skipped.reason}`)
  }
  log.info({ backend: backend.name, package: backend.package, forced: backend.forced, adapter: backend.adapter },
    `inference backend: ${backend.name} (${backend.package}${backend.adapter !== undefined ? `, on ${describeAdapter(backend.adapter)}` : ''})`)

  const settings = resolveInferenceSettings(config, backend)
  const registry = new ModelRegistry({
    source,
    policies,
    defaultModel,
    start: async (directory, identity) => {
      // The conversion is cached by weights digest: the default model's check above is not repeated.
      const onnx = onOnnxRuntime(backend.name) ? await prepareOnnxModel(directory, onnxFor(backend.name)) : undefined
      if (onnx !== undefined && directory !== checkDirectory) logPrecision(onnx)
      const onWorker = (event: WorkerEvent): void => {
        const where = { model: identity.name, repositoryVersion: identity.version, worker: event.worker }
        if (event.type === 'died') log.warn({ ...where, reason: event.reason }, `inference worker ${event.worker} of ${identity.name} version ${identity.version} died (${event.reason}): restarting it`)
        else if (event.type === 'start-failed') log.warn({ ...where, reason: event.reason, retryInMs: event.retryInMs }, `inference worker ${event.worker} of ${identity.name} version ${identity.version} cannot start (${event.reason}): trying again in ${event.retryInMs} ms`)
        else if (event.type === 'recovered') log.warn({ ...where, downMs: event.downMs }, `inference worker ${event.worker} of ${identity.name} version ${identity.version} is running again after ${event.downMs} ms`)
        else log.info(where, `inference worker ${event.worker} of ${identity.name} version ${identity.version} restarted`)
      }
      const served = await ServedModel.start(directory, backend, settings, { onWorker }, onnx, identity)
      log.info({ model: served.name, version: served.version, repositoryVersion: identity.version, directory, sha256: served.digest, warmUpMs: Math.round(served.warmUpMs), ...settings },
        `model ${served.name} version ${identity.version} (${served.version}) loaded and warmed up on ${settings.workers === 0 ? 'the main thread' : `${settings.workers} worker threads`}`)
      return served
    }
  })
  registry.listen({ released: m => log.info({ model: m.name, version: m.version, repositoryVersion: m.repositoryVersion }, `model ${m.name} version ${m.repositoryVersion} (${m.version}) released`) })
  try {
    for (const name of await bootModels(source, defaultModel, config.LOAD_MODELS)) await registry.load(name)
  } catch (err) {
    await registry.close()
    throw err
  }

  fastify.decorate('backend', backend)
  fastify.decorate('models', registry)
  fastify.decorateRequest('servedBy', null)
  fastify.addHook('onClose', async () => registry.close())
}, { name: 'model', dependencies: ['config'] })
