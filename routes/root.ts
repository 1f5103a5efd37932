import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { serviceInfo } from '../services/project.js'
import { ModelRefSchema } from './schemas.js'

const WelcomeSchema = Type.Object({
  name: Type.String({ examples: ['food-classifier-service'] }),
  version: Type.String({ examples: ['0.1.0'] }),
  message: Type.String(),
  model: ModelRefSchema,
  backend: Type.String({ examples: ['wasm'] }),
  docs: Type.String({ description: 'Where Swagger UI is served.', examples: ['/docs'] })
}, { $id: 'Welcome', title: 'Welcome' })

const root: FastifyPluginAsyncTypebox = async function root (fastify) {
  fastify.get('/', {
    schema: {
      tags: ['service'],
      operationId: 'getWelcome',
      summary: 'Welcome',
      description: 'Says what this service is: its name and version, the default model, the TF.js backend, and where the docs are.',
      response: { 200: WelcomeSchema }
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
