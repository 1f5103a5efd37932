import fp from 'fastify-plugin'
import { selectBackend, type BackendChoice, type BackendLoader } from '../services/backend.js'
import { ModelRegistry } from '../services/model-registry.js'
import { prepareOnnxModel, type PreparedOnnxModel } from '../services/onnx/prepare.js'
import { ServedModel, resolveInferenceSettings } from '../services/served-model.js'

declare module 'fastify' {
  interface FastifyInstance {
    backend: BackendChoice
    models: ModelRegistry
  }
}

export interface ModelPluginOptions {
  /** Replaces the real package loader, so tests can walk every backend path. */
  backendLoader?: BackendLoader
}

export default fp<ModelPluginOptions>(async function model (fastify, opts) {
  const { config, log } = fastify
  let onnx: PreparedOnnxModel | undefined
  // onnxruntime serves only a conversion that reproduces the TF.js graph; otherwise the next backend is used.
  const backend = await selectBackend(config.INFERENCE_BACKEND, opts.backendLoader, async name => {
    if (name !== 'onnxruntime') return
    onnx = await prepareOnnxModel(config.MODEL_DIR, { cacheDir: config.ONNX_CACHE_DIR, checkPhotosDir: config.ONNX_CHECK_PHOTOS })
    const { check } = onnx
    log.info({ onnx: onnx.path, fromCache: onnx.fromCache, maxAbsDiff: check.maxAbsDiff, photos: check.photos.length },
      onnx.fromCache ? `ONNX model from the cache: ${onnx.path}` : `model converted to ONNX (${onnx.path}), max |difference| from the TF.js graph ${check.maxAbsDiff} on ${check.photos.length} photos`)
  })
  for (const skipped of backend.skipped) {
    log.info({ backend: skipped.name, package: skipped.package, reason: skipped.reason }, `backend ${skipped.name} skipped: ${skipped.reason}`)
  }
  log.info({ backend: backend.name, package: backend.package, forced: backend.forced }, `inference backend: ${backend.name} (${backend.package})`)

  const settings = resolveInferenceSettings(config, backend)
  const model = await ServedModel.start(config.MODEL_DIR, backend, settings, {}, backend.name === 'onnxruntime' ? onnx : undefined)
  log.info({ model: model.name, version: model.version, sha256: model.digest, ...settings }, `model ${model.name} ${model.version} loaded and warmed up on ${settings.workers === 0 ? 'the main thread' : `${settings.workers} worker threads`}`)

  const registry = new ModelRegistry([model])
  fastify.decorate('backend', backend)
  fastify.decorate('models', registry)
  fastify.addHook('onClose', async () => registry.close())
}, { name: 'model', dependencies: ['config'] })
