import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { checkAdminToken } from '../services/admission/admin-token.js'
import { errorResponse, errorResponses, protocolError, protocolJson } from './schemas.js'

const IndexEntrySchema = Type.Object({
  name: Type.String({ description: 'The model.' }),
  version: Type.Optional(Type.String({ description: 'The repository version, for a version this server knows.' })),
  state: Type.String({ description: 'READY, LOADING, UNLOADING or UNAVAILABLE.' }),
  reason: Type.String({ description: 'Why it is not READY: not loaded, unloaded, or why its load failed.' })
})

const ModelStateSchema = Type.Object({
  name: Type.String({ description: 'The model.' }),
  state: Type.String({ description: 'READY after a load, UNAVAILABLE after an unload.' }),
  versions: Type.Array(Type.String(), { description: 'The repository versions now serving.' })
}, { examples: [{ name: 'food', state: 'READY', versions: ['2'] }] })

const auth = {
  401: protocolError(errorResponse(401, 'Unauthorized', 'No `Authorization: Bearer` credential (`UNAUTHORIZED`).',
    { code: 'UNAUTHORIZED', message: 'Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.' })),
  403: protocolError(errorResponse(403, 'Forbidden', 'The token is wrong, or repository control is off because ADMIN_TOKEN is not set (`FORBIDDEN`).',
    { code: 'FORBIDDEN', message: 'The admin token is wrong.' }))
}

const nameParams = Type.Object({ name: Type.String({ description: 'Model name: its directory in the repository.', examples: ['food'] }) })
const security = [{ adminToken: [] }]

/**
 * Triton's model repository extension: list the repository, load (or reload) and unload models without a
 * restart. Off unless ADMIN_TOKEN is set, and then only with it.
 */
const repository: FastifyPluginAsyncTypebox = async function repository (fastify) {
  const { models } = fastify
  const token = fastify.config.ADMIN_TOKEN
  fastify.addHook('onRequest', async request => checkAdminToken(request.headers.authorization, token))
  const config = { protocolErrors: true }

  fastify.post('/v2/repository/index', {
    config,
    schema: {
      tags: ['repository'],
      operationId: 'repositoryIndex',
      summary: 'List the model repository',
      description: `Every model in the repository (MODEL_REPOSITORY) with the state of each version this server knows, as Triton's repository extension answers; an optional JSON body \`{"ready": true}\` lists only the ready versions. Needs \`Authorization: Bearer <ADMIN_TOKEN>\`.`,
      security,
      response: {
        200: protocolJson('The models and versions, by name.', Type.Array(IndexEntrySchema), [{ name: 'food', version: '1', state: 'READY', reason: '' }, { name: 'food-v2', state: 'UNAVAILABLE', reason: 'not loaded' }]),
        ...auth,
        500: errorResponses[500]
      }
    }
  }, async function repositoryIndex (request) {
    // The body is optional ({"ready": true} lists the ready versions only), so it has no schema to require it.
    const body = request.body as { ready?: unknown } | undefined
    return models.index({ ready: body?.ready === true })
  })

  fastify.post('/v2/repository/models/:name/load', {
    config,
    schema: {
      tags: ['repository'],
      operationId: 'repositoryModelLoad',
      summary: 'Load or reload a model',
      description: 'Reads the model\'s versions from the repository, loads and warms up those its version policy (VERSION_POLICY) serves beside the serving ones, then swaps: new requests go to the new versions, requests under way finish on the old ones, which are then released. Answers once the swap is done. A version that fails to load leaves the serving ones as they were. Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
      security,
      params: nameParams,
      response: {
        200: protocolJson('The model serves its new versions.', ModelStateSchema),
        400: protocolError(errorResponse(400, 'Bad Request', 'A version failed to load, or the version policy serves none of those on disk (`MODEL_LOAD_FAILED`).',
          { code: 'MODEL_LOAD_FAILED', message: "Model 'food' failed to load: Model /models/food/3 does not match its manifest" })),
        ...auth,
        404: protocolError(errorResponse(404, 'Not Found', 'No such model in the repository (`MODEL_NOT_FOUND`).', { code: 'MODEL_NOT_FOUND', message: "No model named 'dogs' in the repository /models." })),
        500: errorResponses[500]
      }
    }
  }, async function repositoryModelLoad (request) {
    await models.load(request.params.name)
    return { name: request.params.name, state: 'READY', versions: models.versions(request.params.name).map(m => String(m.repositoryVersion)) }
  })

  fastify.post('/v2/repository/models/:name/unload', {
    config,
    schema: {
      tags: ['repository'],
      operationId: 'repositoryModelUnload',
      summary: 'Unload a model',
      description: 'Stops serving the model: new requests get 404 MODEL_NOT_FOUND; requests under way finish, then its workers and tensors are released. Answers once they are. Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
      security,
      params: nameParams,
      response: {
        200: protocolJson('The model no longer serves.', ModelStateSchema, { name: 'food-v2', state: 'UNAVAILABLE', versions: [] }),
        ...auth,
        404: protocolError(errorResponse(404, 'Not Found', 'No such model (`MODEL_NOT_FOUND`).', { code: 'MODEL_NOT_FOUND', message: "No model named 'dogs' is loaded (loaded: food)." })),
        500: errorResponses[500]
      }
    }
  }, async function repositoryModelUnload (request) {
    await models.unload(request.params.name)
    return { name: request.params.name, state: 'UNAVAILABLE', versions: [] }
  })
}

export default repository
