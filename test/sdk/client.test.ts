import { openAsBlob } from 'node:fs'
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ApiError, ClassifierClient, UnexpectedResponseError } from '../../sdk/src/index.js'
import { fixture, labelledPhoto, listen } from '../helper.js'

/** The ApiError a call is refused with. */
async function refusal (call: Promise<unknown>): Promise<ApiError> {
  try {
    await call
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error('the call succeeded; an ApiError was expected')
}

const image = (name: string, type = 'image/jpeg') => openAsBlob(fixture('images', name), { type })

t.test('the generated SDK against the real service, over HTTP', async t => {
  const client = new ClassifierClient({ baseUrl: await listen(t) })
  const photo = await labelledPhoto()

  t.test('predict from a file, sent as the multipart field "file"', async t => {
    const result = await client.predict(await openAsBlob(photo.path, { type: 'image/jpeg' }))
    t.equal(result.label, photo.label, `${photo.path} is ${photo.label}`)
    t.equal(result.predictions[0].label, result.label)
    t.equal(result.predictions[0].probability, result.probability)
    t.same(result.predictions.map(p => p.label).sort(), ['food', 'not_food'])
    t.equal(result.model.name, 'food')
    t.equal(result.backend, 'wasm')
    t.type(result.uncertain, 'boolean')
  })

  t.test('predict from bytes, sent as the raw body, answers the same', async t => {
    const viaFile = await client.predict(await openAsBlob(photo.path))
    const bytes = await readFile(photo.path)
    t.same(await client.predictBytes(new Uint8Array(bytes), { contentType: 'image/jpeg' }), viaFile, 'image/jpeg body')
    t.same(await client.predictBytes(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), viaFile, 'application/octet-stream body')
  })

  t.test('topK and a generous deadline reach the service', async t => {
    const result = await client.predict(await openAsBlob(photo.path), { topK: 1, timeoutMs: 20_000 })
    t.equal(result.predictions.length, 1)
    t.equal(result.predictions[0].label, photo.label)
    const bytes = await client.predictBytes(new Uint8Array(await readFile(photo.path)), { topK: 1, timeoutMs: 20_000 })
    t.same(bytes, result)
  })

  t.test('list the models, and get each by name', async t => {
    const models = await client.listModels()
    t.same(models.map(m => m.name), ['food'])
    for (const model of models) {
      const one = await client.getModel(model.name)
      t.same(one, model)
      t.same(one.labels, ['food', 'not_food'])
      t.match(one.sha256, /^[0-9a-f]{64}$/)
    }
    const welcome = await client.welcome()
    t.same(welcome.model, { name: models[0].name, version: models[0].version })
  })

  t.test('every error status comes back as an ApiError with the status, the code and Retry-After', async t => {
    const cases: Array<[string, () => Promise<unknown>, number, string, RegExp]> = [
      ['no file (an empty one)', () => client.predict(new Blob([])), 400, 'NO_FILE', /No image received/],
      ['a bad topK', async () => client.predict(await openAsBlob(photo.path), { topK: 0 }), 400, 'VALIDATION_ERROR', /topK/],
      ['an unknown model', () => client.getModel('dogs'), 404, 'MODEL_NOT_FOUND', /No model named 'dogs'/],
      ['too many pixels', async () => client.predict(await image('bomb-10000x10000.png', 'image/png')), 413, 'TOO_MANY_PIXELS', /MAX_PIXELS/],
      ['not an image', async () => client.predict(await image('not-an-image.txt')), 415, 'UNSUPPORTED_MEDIA_TYPE', /not an image/],
      ['not an image, as bytes', async () => client.predictBytes(await image('not-an-image.txt', 'text/plain')), 415, 'UNSUPPORTED_MEDIA_TYPE', /Unsupported content type "text\/plain"/],
      ['a truncated image', async () => client.predict(await image('flower-truncated.jpg')), 422, 'UNDECODABLE_IMAGE', /could not be decoded/],
      ['a deadline that cannot be met', async () => client.predict(await openAsBlob(photo.path), { timeoutMs: 1 }), 503, 'DEADLINE_EXCEEDED', /deadline/]
    ]
    for (const [name, call, status, code, message] of cases) {
      const err = await refusal(call())
      t.ok(err instanceof ApiError, name)
      t.equal(err.status, status, `${name}: status`)
      t.equal(err.code, code, `${name}: code`)
      t.match(err.message, message, `${name}: message`)
      t.same(err.body, { statusCode: status, error: err.body.error, code, message: err.message }, `${name}: the envelope`)
      if (status === 503) t.ok(err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= 1, `${name}: Retry-After, in seconds`)
      else t.equal(err.retryAfterSeconds, undefined, `${name}: no Retry-After`)
    }
  })
})

t.test('an upload over MAX_UPLOAD_BYTES is a 413 PAYLOAD_TOO_LARGE, from a file or from bytes', async t => {
  const client = new ClassifierClient({ baseUrl: await listen(t, { MAX_UPLOAD_BYTES: '4096' }) })
  const photo = await labelledPhoto()
  const bytes = await readFile(photo.path)
  t.ok(bytes.length > 4096, 'the photo is over the limit')
  const calls = { file: async () => client.predict(await openAsBlob(photo.path)), bytes: () => client.predictBytes(new Uint8Array(bytes)) }
  for (const [name, call] of Object.entries(calls)) {
    const err = await refusal(call())
    t.equal(err.status, 413, name)
    t.equal(err.code, 'PAYLOAD_TOO_LARGE', name)
    t.equal(err.message, 'The upload is larger than the limit of 4096 bytes (MAX_UPLOAD_BYTES).', name)
  }
})

t.test('a response that is not the error envelope is an UnexpectedResponseError, not an ApiError', async t => {
  const gateway = async () => new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })
  const client = new ClassifierClient({ baseUrl: 'http://127.0.0.1:9', fetch: gateway })
  const err = await client.listModels().catch((e: unknown) => e)
  t.ok(err instanceof UnexpectedResponseError)
  t.notOk(err instanceof ApiError)
  t.match(err, { status: 502, body: '<html>502 Bad Gateway</html>' })
})
