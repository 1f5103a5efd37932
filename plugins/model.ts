import fp from 'fastify-plugin'
import { selectBackend, type BackendChoice, type BackendLoader } from '../services/backend.js'
import { ImageClassifier } from '../services/classifier.js'
import { ModelRegistry } from '../services/model-registry.js'

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

  const classifier = await ImageClassifier.load(config.MODEL_DIR)
  await classifier.warmUp()
  log.info({ model: classifier.name, version: classifier.version, sha256: classifier.digest }, `model ${classifier.name} ${classifier.version} loaded and warmed up`)

  const registry = new ModelRegistry([classifier])
  fastify.decorate('backend', backend)
  fastify.decorate('models', registry)
  fastify.addHook('onClose', async () => registry.dispose())
}, { name: 'model', dependencies: ['config'] })
