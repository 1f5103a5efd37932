import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { openApiPath } from '../../scripts/api/openapi.js'
import { ERROR_CODES } from '../../routes/schemas.js'
import { projectRoot } from '../../services/common/project.js'

/*
 * What makes openapi.yaml good enough to generate clients from, checked on the committed document (which
 * test/plugins/openapi.test.ts proves is the one the routes generate). Generic on purpose: every operation
 * and every response, whatever routes exist.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']
const redocly = join(projectRoot, 'node_modules/.bin/redocly')

interface Lint { code: number, totals: { errors: number, warnings: number }, problems: Array<{ ruleId: string, message: string }> }

async function lint (file: string): Promise<Lint> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
  const args = ['lint', file, '--config', join(projectRoot, 'redocly.yaml'), '--format=json']
  const run = await promisify(execFile)(redocly, args, { env, timeout: 60_000 })
    .then(({ stdout }) => ({ code: 0, stdout }), (err: { code?: number, stdout?: string }) => ({ code: err.code ?? 1, stdout: err.stdout ?? '' }))
  return { code: run.code, ...JSON.parse(run.stdout) }
}

type Json = Record<string, any>

const spec: Json = parse(await readFile(openApiPath, 'utf8'))
const operations = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  METHODS.filter(m => item[m]).map(method => ({ path, method, name: `${method.toUpperCase()} ${path}`, op: item[method] as Json })))

t.test('redocly lint (recommended rules and redocly.yaml) finds no problem in openapi.yaml', async t => {
  const result = await lint(openApiPath)
  t.same(result.problems.map(p => `${p.ruleId}: ${p.message}`), [], 'no problems')
  t.same(result.totals, { errors: 0, warnings: 0, ignored: 0 })
  t.equal(result.code, 0)
})

t.test('the lint fails a document whose example contradicts its schema, or a response without an example', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const broken = structuredClone(spec)
  const { path, method } = operations[0]
  const media = broken.paths[path][method].responses['200'].content['application/json']
  delete media.example
  delete media.examples
  const failing = operations.find(({ op }) => Object.keys(op.responses).some(s => s.startsWith('4')))!
  const [status] = Object.keys(failing.op.responses).filter(s => s.startsWith('4'))
  const errorMedia = broken.paths[failing.path][failing.method].responses[status].content['application/json']
  const example = errorMedia.example ?? Object.values(errorMedia.examples as Json)[0].value
  example.code = 'NOT_A_CODE'
  const file = join(dir, 'openapi.yaml')
  await writeFile(file, stringify(broken))
  const result = await lint(file)
  t.not(result.code, 0)
  t.ok(result.problems.some(p => p.ruleId === 'rule/response-example'), 'a response without an example is reported')
  t.ok(result.problems.some(p => p.ruleId === 'no-invalid-media-type-examples' && /code/.test(p.message)), 'an example with an unknown code is reported')
})

t.test('every operation has an operationId, a summary, a description and a tag', async t => {
  t.ok(operations.length >= 4)
  const ids = operations.map(({ op }) => op.operationId)
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  for (const { name, op } of operations) {
    t.match(op.operationId, /^[a-z][A-Za-z0-9]+$/, `${name}: operationId is a camelCase identifier (a method name in SDKs)`)
    t.ok(op.summary?.length > 3, `${name}: summary`)
    t.ok(op.description?.length > 20, `${name}: description`)
    t.ok(op.tags?.length > 0, `${name}: tags`)
  }
})

t.test('every response has a real description, a schema and an example; client errors use the one Error schema', async t => {
  for (const { name, op } of operations) {
    t.ok(Object.keys(op.responses).some(s => s.startsWith('2')), `${name}: documents its success`)
    for (const [status, response] of Object.entries(op.responses as Json)) {
      const where = `${name} ${status}`
      t.ok(response.description && response.description !== 'Default Response', `${where}: describes when it happens`)
      if (status === '204' || status === '304') continue
      const media = Object.entries(response.content ?? {}) as Array<[string, Json]>
      t.ok(media.length > 0, `${where}: has a body`)
      for (const [type, m] of media) {
        t.ok(m.schema, `${where} ${type}: schema`)
        t.ok(m.example !== undefined || Object.keys(m.examples ?? {}).length > 0, `${where} ${type}: example`)
      }
      // Every client error is the one envelope; a 5xx may be something else (a readiness probe's status, say).
      const m = response.content?.['application/json'] ?? {}
      const envelope = m.schema?.$ref === '#/components/schemas/Error'
      if (Number(status) >= 400 && Number(status) < 500) t.ok(envelope, `${where}: the Error envelope`)
      if (envelope) {
        const examples = m.example !== undefined ? [m.example] : Object.values(m.examples ?? {}).map(e => (e as Json).value)
        for (const example of examples) t.equal(example.statusCode, Number(status), `${where}: the example says ${status}`)
      }
    }
  }
})

t.test('the Error schema lists exactly the codes the service uses, as one string enum', async t => {
  const code = spec.components.schemas.Error.properties.code
  t.equal(code.type, 'string')
  t.same([...code.enum].sort(), [...ERROR_CODES].sort())
})

t.test('uploads are documented as multipart (file: binary) and raw image bodies, with their limits', async t => {
  const uploads = operations.filter(({ op }) => op.requestBody?.content?.['multipart/form-data'])
  t.ok(uploads.length > 0, 'at least one operation takes an upload')
  for (const { name, op } of uploads) {
    const content = op.requestBody.content
    t.equal(op.requestBody.required, true, `${name}: a body is required`)
    const multipart = content['multipart/form-data'].schema
    t.match(multipart, { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } }, `${name}: multipart field "file" is a binary file`)
    for (const type of ['image/*', 'application/octet-stream']) t.match(content[type]?.schema, { type: 'string', format: 'binary' }, `${name}: raw ${type} body`)
    for (const schema of [multipart.properties.file, content['image/*'].schema, content['application/octet-stream'].schema]) {
      t.match(schema.description, /\d+ bytes \(MAX_UPLOAD_BYTES\)/, `${name}: states the byte limit`)
      t.match(schema.description, /\d+ pixels \(MAX_PIXELS/, `${name}: states the pixel limit`)
    }
    for (const status of ['400', '413', '415', '422']) t.ok(op.responses[status], `${name}: documents ${status}`)
  }
})

t.test('named schemas are components, so generated SDKs get named types', async t => {
  for (const name of ['Error', 'Prediction', 'ModelInfo', 'ModelList', 'Welcome']) t.ok(spec.components.schemas[name], name)
  const refs: string[] = JSON.stringify(spec.paths).match(/#\/components\/schemas\/\w+/g) ?? []
  t.ok(refs.includes('#/components/schemas/Prediction'), 'POST /predict answers a Prediction by $ref')
})
