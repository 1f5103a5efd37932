import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { serviceInfo } from '../services/common/project.js'

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
      // Operations declare their own requirement: inference and model routes the API key (plugins/api-keys.ts), the
      // repository routes the admin token; the probes and metrics need none.
      security: [],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key as `Authorization: Bearer <key>`. Needed on the inference and model routes only when the service is configured with API_KEYS or API_KEYS_FILE.' },
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key as `X-API-Key: <key>`, for clients that cannot set Authorization.' },
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
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: false, persistAuthorization: true }
    })
  }
}, { name: 'openapi', dependencies: ['config'] })
