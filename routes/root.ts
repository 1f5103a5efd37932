import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { serviceInfo } from '../services/project.js'
import { WelcomeSchema, errorResponses, jsonResponse } from './schemas.js'

const root: FastifyPluginAsyncTypebox = async function root (fastify) {
  fastify.get('/', {
    schema: {
      tags: ['service'],
      operationId: 'getWelcome',
      summary: 'Welcome',
      description: 'Says what this service is: its name and version, the default model, the inference backend, and where the docs are.',
      response: { 200: jsonResponse('The service, its version, the default model and backend, and where the docs are.', WelcomeSchema), 500: errorResponses[500] }
    }
  }, async function welcome () {
    const { models } = fastify
    // The welcome answers also while the default model is unloaded (repository control), and says so.
    const model = models.isReady(models.defaultName) ? models.default : undefined
    return {
      name: serviceInfo.name,
      version: serviceInfo.version,
      message: model !== undefined
        ? `Welcome! POST an image to /predict (multipart field "file") to ask whether it shows ${model.labels.join(' or ')}.`
        : `Welcome! The default model, ${models.defaultName}, is not loaded at the moment: POST /predict answers 404 until it is.`,
      model: { name: models.defaultName, version: model?.version ?? '' },
      backend: fastify.backend.name,
      docs: '/docs'
    }
  })
}

export default root
