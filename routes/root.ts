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
    const model = fastify.models.default
    return {
      name: serviceInfo.name,
      version: serviceInfo.version,
      message: `Welcome! POST an image to /predict (multipart field "file") to ask whether it shows ${model.labels.join(' or ')}.`,
      model: { name: model.name, version: model.version },
      backend: fastify.backend.name,
      docs: '/docs'
    }
  })
}

export default root
