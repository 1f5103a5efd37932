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
      // No authentication but on the repository routes: an empty requirement says so to linters, Swagger UI and
      // generated clients; those routes name adminToken.
      security: [],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN the server was started with; without one set, repository control is off.' }
        }
      },
      tags: [
        { name: 'inference', description: 'Classify images' },
        { name: 'models', description: 'Loaded models and their metadata' },
        { name: 'service', description: 'About this service' },
        { name: 'kserve-v2', description: 'KServe V2 / Open Inference Protocol (REST): server and model metadata, readiness, inference' },
        { name: 'tfserving', description: 'TensorFlow Serving REST API: model status, metadata, predict and classify' },
        { name: 'repository', description: "Triton's model repository extension: index, load and unload models (needs ADMIN_TOKEN)" },
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
