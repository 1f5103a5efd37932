import { readFile } from 'node:fs/promises'
import t from 'tap'
import { parse } from 'yaml'
import { generateOpenApi, openApiPath } from '../../scripts/api/openapi.js'
import { build } from '../helper.js'

t.test('openapi.yaml is the document generated from the route schemas (run npm run openapi when this fails)', async t => {
  t.equal(await readFile(openApiPath, 'utf8'), await generateOpenApi())
})

t.test('the served document describes every route, the upload and the error envelope', async t => {
  const app = await build(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const spec = res.json()
  t.same(spec, parse(await readFile(openApiPath, 'utf8')), 'the served spec is the committed one')
  t.same(Object.keys(spec.paths).sort(), [
    '/', '/health/live', '/health/ready', '/metrics', '/models', '/models/{name}', '/models/{name}/versions/{version}', '/predict',
    '/v1/models/{name}', '/v1/models/{name}/metadata', '/v1/models/{name}/versions/{version}', '/v1/models/{name}/versions/{version}/metadata',
    '/v1/models/{name}/versions/{version}:classify', '/v1/models/{name}/versions/{version}:predict', '/v1/models/{name}:classify', '/v1/models/{name}:predict',
    '/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/{name}', '/v2/models/{name}/infer', '/v2/models/{name}/ready',
    '/v2/models/{name}/versions/{version}', '/v2/models/{name}/versions/{version}/infer', '/v2/models/{name}/versions/{version}/ready',
    '/v2/repository/index', '/v2/repository/models/{name}/load', '/v2/repository/models/{name}/unload'
  ])
  t.same(spec.components.securitySchemes.adminToken, { type: 'http', scheme: 'bearer', description: spec.components.securitySchemes.adminToken.description }, 'the repository routes name their Bearer token')
  t.same(spec.paths['/v2/repository/models/{name}/load'].post.security, [{ adminToken: [] }])
  const predict = spec.paths['/predict'].post
  t.equal(predict.operationId, 'predict')
  t.same(predict.requestBody.content['multipart/form-data'].schema.properties.file, {
    description: predict.requestBody.content['multipart/form-data'].schema.properties.file.description,
    type: 'string',
    format: 'binary'
  }, 'file is a binary field: Swagger UI shows a file picker')
  t.same(predict.requestBody.content['multipart/form-data'].schema.required, ['file'])
  t.match(predict.requestBody.content['image/*'].schema, { type: 'string', format: 'binary' })
  t.match(predict.requestBody.content['application/octet-stream'].schema, { type: 'string', format: 'binary' })
  for (const status of ['200', '400', '413', '415', '422', '500']) t.ok(predict.responses[status], `documents ${status}`)
  t.same(predict.responses['413'].content['application/json'].schema, { $ref: '#/components/schemas/Error' })
  t.match(spec.components.schemas.Error, { required: ['statusCode', 'error', 'code', 'message'] })
  t.match(predict.description, /10485760 bytes \(MAX_UPLOAD_BYTES\)/)
})

t.test('Swagger UI is served at /docs, and can be turned off', async t => {
  const app = await build(t)
  const res = await app.inject('/docs/')
  t.equal(res.statusCode, 200)
  t.match(res.body, /swagger-ui/i)
  const off = await build(t, { DOCS_ENABLED: 'false' })
  t.equal((await off.inject('/docs/')).statusCode, 404)
})
