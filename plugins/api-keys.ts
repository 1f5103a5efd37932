import fp from 'fastify-plugin'
import type { FastifyRequest, FastifyReply } from 'fastify'
import { loadApiKeys, type ApiKeys } from '../services/admission/api-keys.js'
import { isOpenWithoutKey } from '../services/admission/route-access.js'
import { errorResponses } from '../routes/schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The API keys, or null when the service has none (API_KEYS and API_KEYS_FILE empty): the API is open. */
    apiKeys: ApiKeys | null
  }
}

/** Either scheme; the empty requirement ({}) first says that, without keys configured, none is needed. */
const KEY_SCHEMES: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKeyHeader: [] }]

/**
 * Optional API keys. Every route registered after this plugin needs a key when keys are configured, except those
 * open by design (probes, /metrics, /); /docs is registered before it, so Swagger UI loads and its Authorize button
 * supplies the key. Each protected route declares the schemes and its 401 in the OpenAPI document.
 */
export default fp(async function apiKeys (fastify) {
  const keys = await loadApiKeys(fastify.config)
  fastify.decorate('apiKeys', keys)
  if (keys) fastify.log.info({ keys: keys.size }, 'API keys required on the inference and model routes')

  async function requireKey (request: FastifyRequest, reply: FastifyReply) {
    try {
      (keys as ApiKeys).authenticate(request.headers)
    } catch (err) {
      reply.header('www-authenticate', 'Bearer realm="food-classifier"')
      throw err
    }
  }

  fastify.addHook('onRoute', function protectRoute (routeOptions) {
    if (isOpenWithoutKey(routeOptions.url) || routeOptions.method === 'OPTIONS') return
    if (routeOptions.schema) {
      routeOptions.schema = {
        ...routeOptions.schema,
        // Fresh objects per route: shared ones become YAML anchors and aliases in openapi.yaml.
        security: structuredClone(keys ? KEY_SCHEMES : [{}, ...KEY_SCHEMES]),
        ...(routeOptions.schema.response ? { response: { ...routeOptions.schema.response as object, 401: errorResponses[401] } } : {})
      }
    }
    if (keys) routeOptions.onRequest = [...[routeOptions.onRequest ?? []].flat(), requireKey]
  })
}, { name: 'api-keys', dependencies: ['config'] })
