import fp from 'fastify-plugin'
import { selectBackend, type BackendChoice, type BackendLoader } from '../services/backend.js'
import { ModelRegistry } from '../services/model-registry.js'
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
  const backend = await selectBackend(config.TFJS_BACKEND, opts.backendLoader)
  for (const skipped of backend.skipped) {
    log.info({ backend: skipped.name, package: skipped.package, reason: skipped.reason }, `TF.js backend ${skipped.name} skipped: ${skipped.reason}`)
  }
  log.info({ backend: backend.name, package: backend.package, forced: backend.forced }, `TF.js backend: ${backend.name} (${backend.package})`)

  const settings = resolveInferenceSettings(config, backend)
  const model = await ServedModel.start(config.MODEL_DIR, backend, settings)
  log.info({ model: model.name, version: model.version, sha256: model.digest, ...settings }, `model ${model.name} ${model.version} loaded and warmed up on ${settings.workers === 0 ? 'the main thread' : `${settings.workers} worker threads`}`)

  const registry = new ModelRegistry([model])
  fastify.decorate('backend', backend)
  fastify.decorate('models', registry)
  fastify.addHook('onClose', async () => registry.close())
}, { name: 'model', dependencies: ['config'] })
