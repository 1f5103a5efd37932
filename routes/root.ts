import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { loadPage, prefersHtml, webDir } from '../services/protocols/page.js'
import { serviceInfo } from '../services/common/project.js'
import { WelcomeSchema, errorResponses, jsonResponse } from './schemas.js'

const ASSETS = { 'page.js': 'text/javascript; charset=utf-8', 'page.css': 'text/css; charset=utf-8' }

const root: FastifyPluginAsyncTypebox = async function root (fastify) {
  const renderPage = await loadPage()

  fastify.get('/', {
    schema: {
      tags: ['service'],
      operationId: 'getWelcome',
      summary: 'Welcome',
      description: 'Says what this service is: its name and version, the default model, the inference backend, and where the docs are. A browser (Accept: text/html before application/json) gets a page instead, where a person can pick, drop or take a photo and see what the model answers.',
      response: { 200: jsonResponse('The service, its version, the default model and backend, and where the docs are.', WelcomeSchema), 500: errorResponses[500] }
    }
  }, async function welcome (request, reply) {
    const { models } = fastify
    // The welcome answers also while the default model is unloaded (repository control), and says so.
    const model = models.isReady(models.defaultName) ? models.default : undefined
    const vary = reply.getHeader('vary')
    reply.header('vary', vary ? `${String(vary)}, Accept` : 'Accept')
    if (prefersHtml(request.headers.accept)) {
      // The page is for people, not part of the API: the OpenAPI response (and so the reply's type) is the JSON welcome.
      const html = renderPage({
        name: serviceInfo.name,
        version: serviceInfo.version,
        model: { name: models.defaultName, version: model?.version ?? '', labels: model?.labels ?? [] },
        backend: fastify.backend.name,
        docs: fastify.config.DOCS_ENABLED,
        keyRequired: fastify.apiKeys !== null
      })
      return reply.type('text/html; charset=utf-8').send(html as never)
    }
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

  for (const [file, type] of Object.entries(ASSETS)) {
    const content = await readFile(join(webDir, file))
    fastify.get(`/page/${file}`, { schema: { hide: true } }, async function pageAsset (_request, reply) {
      return reply.type(type).header('cache-control', 'no-cache').send(content)
    })
  }
}

export default root
