import t from 'tap'
import { build, imageFile, multipart, readFixture } from '../helper.js'

t.test('POST /predict with base64 JSON and with several images', async t => {
  const app = await build(t, { MAX_IMAGES_PER_REQUEST: '4', MAX_REQUEST_BYTES: String(400 * 1024) })
  const lasagna = await readFixture('photos/food', 'based__lasagna.jpg')
  const starfish = await readFixture('photos/not_food', 'exifparser__starfish.jpg')
  const flower = await readFixture('images', 'flower.jpg')
  const single = async (photo: Buffer) => (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
  const [lasagnaAnswer, starfishAnswer] = [await single(lasagna), await single(starfish)]
  t.equal(lasagnaAnswer.label, 'food')
  t.equal(starfishAnswer.label, 'not_food')

  t.test('{"image": base64} answers as the multipart upload does; a data URL too', async t => {
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { image: lasagna.toString('base64') } })
    t.equal(res.statusCode, 200)
    t.same(res.json(), lasagnaAnswer)
    const dataUrl = await app.inject({ method: 'POST', url: '/predict?topK=1', payload: { image: `data:image/jpeg;base64,${lasagna.toString('base64')}` } })
    t.same(dataUrl.json(), { ...lasagnaAnswer, predictions: lasagnaAnswer.predictions.slice(0, 1) })
  })

  t.test('several images answer {"results"} in order, each as it would alone; a bad one fails alone', async t => {
    const form = await app.inject({
      method: 'POST',
      url: '/predict',
      ...multipart([
        { name: 'file', filename: 'lasagna.jpg', contentType: 'image/jpeg', content: lasagna },
        { name: 'file', filename: 'notes.txt', contentType: 'text/plain', content: 'not an image' },
        { name: 'file', filename: 'starfish.jpg', contentType: 'image/jpeg', content: starfish }
      ])
    })
    t.equal(form.statusCode, 200)
    const { results } = form.json()
    t.equal(results.length, 3)
    t.same(results[0], lasagnaAnswer)
    t.match(results[1], { statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE', message: /not an image/ })
    t.same(results[2], starfishAnswer)

    const json = await app.inject({ method: 'POST', url: '/predict', payload: { images: [starfish.toString('base64'), 'not base64 at all!', lasagna.toString('base64')] } })
    t.equal(json.statusCode, 200)
    const answers = json.json().results
    t.same(answers[0], starfishAnswer)
    t.match(answers[1], { statusCode: 400, code: 'BAD_REQUEST', message: 'images[1] is not base64: send the image\'s bytes, base64-encoded.' })
    t.same(answers[2], lasagnaAnswer)
    const one = await app.inject({ method: 'POST', url: '/predict', payload: { images: [flower.toString('base64')] } })
    t.equal(one.json().results.length, 1, 'a list of one is still a list')
  })

  t.test('the images of one request share batches', async t => {
    const before = app.models.default.counts
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { images: [lasagna, starfish, flower, lasagna].map(b => b.toString('base64')) } })
    t.equal(res.statusCode, 200)
    const after = app.models.default.counts
    t.equal(after.requests - before.requests, 4, 'four images classified')
    t.ok(after.batches - before.batches < 4, `in ${after.batches - before.batches} batches, fewer than one per image`)
  })

  t.test('caps: too many images is a 400, too many bytes a 413; bad JSON bodies are 400s', async t => {
    const five = await app.inject({ method: 'POST', url: '/predict', payload: { images: Array(5).fill(flower.toString('base64')) } })
    t.equal(five.statusCode, 400)
    t.same(five.json(), { statusCode: 400, error: 'Bad Request', code: 'TOO_MANY_IMAGES', message: '5 images in one request; the limit is 4 (MAX_IMAGES_PER_REQUEST).' })
    const fiveParts = await app.inject({ method: 'POST', url: '/predict', ...multipart(Array.from({ length: 5 }, (_, i) => ({ name: 'file', filename: `${i}.jpg`, contentType: 'image/jpeg', content: flower }))) })
    t.equal(fiveParts.statusCode, 400)
    t.match(fiveParts.json(), { code: 'TOO_MANY_IMAGES', message: /More than 4 images/ })
    // 420 KiB of images: over MAX_REQUEST_BYTES once decoded, within the body limit as base64.
    const heavy = Buffer.concat([lasagna, Buffer.alloc(140 * 1024 - lasagna.length)])
    const bytes = await app.inject({ method: 'POST', url: '/predict', payload: { images: [heavy, heavy, heavy].map(b => b.toString('base64')) } })
    t.equal(bytes.statusCode, 413)
    t.same(bytes.json(), { statusCode: 413, error: 'Payload Too Large', code: 'PAYLOAD_TOO_LARGE', message: 'The images of this request add up to 430080 bytes; the limit is 409600 bytes (MAX_REQUEST_BYTES).' })
    const body = await app.inject({ method: 'POST', url: '/predict', payload: { images: [heavy, heavy, heavy, heavy].map(b => b.toString('base64')) } })
    t.equal(body.statusCode, 413)
    t.match(body.json(), { code: 'PAYLOAD_TOO_LARGE', message: /The request body is larger than the limit of \d+ bytes: MAX_REQUEST_BYTES \(409600\) of images, base64-encoded/ })
    const cases: Array<[string, string, RegExp]> = [
      ['neither image nor images', '{"file":"x"}', /send \{"image": "<base64>"\}/],
      ['both', JSON.stringify({ image: 'a', images: ['b'] }), /send \{"image"/],
      ['empty list', '{"images":[]}', /"images" is empty/],
      ['not base64', '{"image":"%%%"}', /image is not base64/],
      ['not JSON', '{"image":', /JSON/]
    ]
    for (const [name, payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload })
      t.equal(res.statusCode, 400, name)
      t.match(res.json(), { statusCode: 400, message }, name)
    }
    t.same(await single(lasagna), lasagnaAnswer, 'the server still answers')
  })
})
