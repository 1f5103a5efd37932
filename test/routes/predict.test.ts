import t from 'tap'
import { build, imageFile, multipart, readFixture } from '../helper.js'

const FOOD = 'photos/food'
const firstPhoto = async (dir: string) => {
  const { readdir } = await import('node:fs/promises')
  const { fixture } = await import('../helper.js')
  const [name] = (await readdir(fixture(dir))).filter(f => f.endsWith('.jpg')).sort()
  return readFixture(dir, name)
}

t.test('POST /predict', async t => {
  const app = await build(t)
  const photo = await firstPhoto(FOOD)

  t.test('a photo in the multipart field "file" gets a label, probabilities, the model and the backend', async t => {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.equal(body.label, 'food')
    t.ok(body.probability > 0.5 && body.probability <= 1)
    t.equal(body.predictions.length, 2)
    t.same(body.predictions.map((p: { label: string }) => p.label), ['food', 'not_food'])
    t.ok(Math.abs(body.predictions[0].probability + body.predictions[1].probability - 1) < 1e-4)
    t.equal(body.predictions[0].probability, body.probability)
    t.same(body.model.name, 'food')
    t.equal(body.backend, 'wasm')
    t.same(body.warnings, [])
    t.type(body.uncertain, 'boolean')
  })

  t.test('a raw body answers the same as multipart, whatever image content type it claims', async t => {
    const viaMultipart = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
    for (const contentType of ['image/jpeg', 'application/octet-stream', 'image/png']) {
      const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': contentType }, payload: photo })
      t.equal(res.statusCode, 200, contentType)
      t.same(res.json(), viaMultipart, `${contentType}: same answer`)
    }
  })

  t.test('topK limits the predictions; a bad topK is a 400', async t => {
    const res = await app.inject({ method: 'POST', url: '/predict?topK=1', ...imageFile(photo) })
    t.equal(res.statusCode, 200)
    t.equal(res.json().predictions.length, 1)
    for (const bad of ['0', 'abc', '1.5']) {
      const refused = await app.inject({ method: 'POST', url: `/predict?topK=${bad}`, ...imageFile(photo) })
      t.equal(refused.statusCode, 400, `topK=${bad}`)
      t.match(refused.json(), { statusCode: 400, error: 'Bad Request', code: 'VALIDATION_ERROR', message: /topK/ })
    }
  })

  t.test('no file, or the image in the wrong field, is a 400 NO_FILE', async t => {
    const cases = {
      'empty body': { method: 'POST' as const, url: '/predict' },
      'empty raw body': { method: 'POST' as const, url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: Buffer.alloc(0) },
      'wrong field name': { method: 'POST' as const, url: '/predict', ...multipart([{ name: 'image', filename: 'a.jpg', contentType: 'image/jpeg', content: photo }]) },
      'a text field called file': { method: 'POST' as const, url: '/predict', ...multipart([{ name: 'file', content: 'not a file' }]) }
    }
    for (const [name, request] of Object.entries(cases)) {
      const res = await app.inject(request)
      t.equal(res.statusCode, 400, name)
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', code: 'NO_FILE', message: /No image received: send it as the multipart field "file"/ }, name)
    }
  })

  t.test('not an image is a 415, whatever the content type says', async t => {
    for (const [name, file] of [['text file', 'not-an-image.txt'], ['HEIC', 'flower.heic']]) {
      const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', file)) })
      t.equal(res.statusCode, 415, name)
      t.match(res.json(), { statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE' }, name)
    }
    for (const contentType of ['text/plain']) {
      const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': contentType }, payload: 'hello' })
      t.equal(res.statusCode, 415, contentType)
      t.match(res.json(), { code: 'UNSUPPORTED_MEDIA_TYPE', message: /Unsupported content type/ })
    }
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'video/mp4' }, payload: photo })
    t.equal(res.statusCode, 415, 'a content type no parser takes')
    t.match(res.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' })
  })

  t.test('an image that cannot be decoded is a 422', async t => {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower-truncated.jpg')) })
    t.equal(res.statusCode, 422)
    t.match(res.json(), { statusCode: 422, error: 'Unprocessable Entity', code: 'UNDECODABLE_IMAGE', message: /could not be decoded/ })
  })

  t.test('too many pixels is a 413 from the header', async t => {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'bomb-10000x10000.png'), 'bomb.png', 'image/png') })
    t.equal(res.statusCode, 413)
    t.match(res.json(), { statusCode: 413, error: 'Payload Too Large', code: 'TOO_MANY_PIXELS', message: /over the limit of 50000000 pixels \(MAX_PIXELS\)/ })
  })

  t.test('odd but valid images are answered, with what was done to them', async t => {
    const cases: Array<[string, RegExp]> = [
      ['flower-exif-orientation-6.jpg', /rotated: EXIF orientation 6/],
      ['flower-animated.gif', /first of 2 frames/],
      ['flower-cmyk.jpg', /converted from CMYK/],
      ['flower-16bit.png', /16-bit/],
      ['flower-alpha.png', /alpha flattened/],
      ['flower-tiny-16x12.jpg', /upscaled from 16x12/]
    ]
    for (const [file, warning] of cases) {
      const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/octet-stream' }, payload: await readFixture('images', file) })
      t.equal(res.statusCode, 200, file)
      t.match(res.json().warnings.join('; '), warning, file)
    }
  })

  t.test('bad requests in flight do not disturb good ones', async t => {
    const expected = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
    const bad = ['flower-truncated.jpg', 'not-an-image.txt', 'bomb-10000x10000.png', 'flower.heic']
    const badBodies = await Promise.all(bad.map(f => readFixture('images', f)))
    const requests = []
    for (let i = 0; i < 12; i++) {
      requests.push(app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) }))
      requests.push(app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/octet-stream' }, payload: badBodies[i % bad.length] }))
    }
    const responses = await Promise.all(requests)
    const good = responses.filter((_, i) => i % 2 === 0)
    t.ok(good.every(r => r.statusCode === 200), 'every good request answered 200')
    t.ok(good.every(r => JSON.stringify(r.json()) === JSON.stringify(expected)), 'with the same answer as alone')
    t.same([...new Set(responses.filter((_, i) => i % 2 === 1).map(r => r.statusCode))].sort(), [413, 415, 422])
  })
})

t.test('uploads over MAX_UPLOAD_BYTES are a 413, multipart or raw', async t => {
  const app = await build(t, { MAX_UPLOAD_BYTES: '4096' })
  const photo = await firstPhoto(FOOD)
  t.ok(photo.length > 4096, 'the photo is over the limit')
  const viaMultipart = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
  const raw = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'image/jpeg' }, payload: photo })
  for (const res of [viaMultipart, raw]) {
    t.equal(res.statusCode, 413)
    t.same(res.json(), { statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'The upload is larger than the limit of 4096 bytes (MAX_UPLOAD_BYTES).' })
  }
  const small = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower-tiny-16x12.jpg')) })
  t.equal(small.statusCode, 200, 'and the next small upload is served')
})
