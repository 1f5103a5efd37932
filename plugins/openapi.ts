import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { serviceInfo } from '../services/project.js'

/** The OpenAPI document, generated from the route schemas, and Swagger UI at /docs. */
export default fp(async function openapi (fastify) {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Food classifier service',
        version: serviceInfo.version,
        description: `${serviceInfo.description}\n\nEvery error has the same JSON shape: \`statusCode\`, \`error\`, \`code\` (stable, machine-readable) and \`message\`.`,
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' }
      },
      servers: [{ url: '/', description: 'This server' }],
      // No authentication: an empty requirement says so to linters, Swagger UI and generated clients.
      security: [],
      tags: [
        { name: 'inference', description: 'Classify images' },
        { name: 'models', description: 'Loaded models and their metadata' },
        { name: 'service', description: 'About this service' },
        { name: 'operations', description: 'Health, readiness and metrics, for orchestrators, load balancers and Prometheus' }
      ]
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`)
    }
  })
  if (fastify.config.DOCS_ENABLED) {
    await fastify.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: false }
    })
  }
}, { name: 'openapi', dependencies: ['config'] })
