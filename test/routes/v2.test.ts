import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

const PHOTO = ['photos/food', 'based__pho-soup.jpg']

/** A binary-extension body: the JSON header, then each image as a 4-byte little-endian length and its bytes. */
function binaryBody (header: object, images: Buffer[]): { payload: Buffer, headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(header))
  const data = Buffer.concat(images.flatMap(image => { const size = Buffer.alloc(4); size.writeUInt32LE(image.length); return [size, image] }))
  return { payload: Buffer.concat([json, data]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) } }
}

t.test('KServe V2 / Open Inference Protocol', async t => {
  const app = await build(t)
  const { readdir } = await import('node:fs/promises')
  const { fixture } = await import('../helper.js')
  const [first] = (await readdir(fixture('photos/food'))).filter(f => f.endsWith('.jpg')).sort()
  const photo = await readFixture(PHOTO[0], first)
  const flower = await readFixture('images', 'flower.jpg')
  const predicted = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
  const labels = ['food', 'not_food']

  t.test('GET /v2 names the server and its extensions', async t => {
    const res = await app.inject('/v2')
    t.equal(res.statusCode, 200)
    t.match(res.json(), { name: 'food-classifier-service', version: String, extensions: ['binary_tensor_data', 'classification', 'model_repository'] })
  })

  t.test('model metadata: versions, platform, BYTES input, FP32 output, labels; readiness', async t => {
    for (const url of ['/v2/models/food', '/v2/models/food/versions/1']) {
      const res = await app.inject(url)
      t.equal(res.statusCode, 200, url)
      t.same(res.json(), {
        name: 'food',
        versions: ['1'],
        platform: 'tfjs_graph-model',
        inputs: [{ name: 'image', datatype: 'BYTES', shape: [-1] }],
        outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
        labels,
        parameters: { version: '4.0.0', backend: 'wasm' }
      }, url)
    }
    t.same((await app.inject('/v2/models/food/ready')).json(), { name: 'food', ready: true })
    t.same((await app.inject('/v2/models/food/versions/1/ready')).json(), { name: 'food', ready: true })
    const missing = await app.inject('/v2/models/food/versions/7')
    t.equal(missing.statusCode, 404)
    t.same(missing.json(), { statusCode: 404, error: "Model 'food' has no version '7' loaded (loaded versions: 1).", code: 'MODEL_NOT_FOUND', message: "Model 'food' has no version '7' loaded (loaded versions: 1)." }, 'the protocol reads the message from error')
    t.equal((await app.inject('/v2/models/dogs/ready')).statusCode, 404)
  })

  t.test('infer with base64 BYTES in JSON gives /predict\'s probability, in label order, and echoes the id', async t => {
    const res = await app.inject({ method: 'POST', url: '/v2/models/food/infer', payload: { id: 'req-1', inputs: [{ name: 'image', shape: [2], datatype: 'BYTES', data: [photo.toString('base64'), flower.toString('base64')] }] } })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.match(body, { model_name: 'food', model_version: '1', id: 'req-1', outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [2, 2] }] })
    const data: number[] = body.outputs[0].data
    t.equal(data.length, 4)
    t.equal(labels[data[0] > data[1] ? 0 : 1], predicted.label, 'the same label as /predict')
    t.ok(Math.abs(Math.max(data[0], data[1]) - predicted.probability) < 1e-6, 'the same probability as /predict')
    t.ok(data[3] > data[2], 'the flower is not food')
    t.match(res.headers['server-timing'], /^model;desc="food\/1 4\.0\.0", decode;dur=/)
  })

  t.test('the classification extension answers "score:index:label" strings', async t => {
    const res = await app.inject({ method: 'POST', url: '/v2/models/food/versions/1/infer', payload: { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [photo.toString('base64')] }], outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] } })
    t.equal(res.statusCode, 200)
    const [output] = res.json().outputs
    t.match(output, { name: 'probabilities', datatype: 'BYTES', shape: [1, 1] })
    const [score, index, label] = output.data[0].split(':')
    t.equal(label, predicted.label)
    t.equal(Number(index), labels.indexOf(predicted.label))
    t.ok(Math.abs(Number(score) - predicted.probability) < 1e-6)
  })

  t.test('the binary tensor data extension: raw image bytes in, binary FP32 out', async t => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/food/infer',
      ...binaryBody({ id: 'bin', inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: photo.length + 4 } }], outputs: [{ name: 'probabilities', parameters: { binary_data: true } }] }, [photo])
    })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/octet-stream')
    const length = Number(res.headers['inference-header-content-length'])
    const header = JSON.parse(res.rawPayload.subarray(0, length).toString())
    t.same(header, { model_name: 'food', model_version: '1', id: 'bin', outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }] })
    const data = res.rawPayload.subarray(length)
    t.equal(data.length, 8)
    const probabilities = [data.readFloatLE(0), data.readFloatLE(4)]
    t.ok(Math.abs(probabilities[labels.indexOf(predicted.label)] - predicted.probability) < 1e-6, 'the same probability as /predict')

    const json = await app.inject({ method: 'POST', url: '/v2/models/food/infer', ...binaryBody({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: photo.length + 4 } }] }, [photo]) })
    t.equal(json.statusCode, 200, 'binary in, JSON out when no output asks for binary')
    t.ok(Math.abs(Math.max(...json.json().outputs[0].data) - predicted.probability) < 1e-6)
  })

  t.test('bad requests get the protocol\'s {"error"} with the right status', async t => {
    const cases: Array<[string, object, number, RegExp]> = [
      ['wrong input name', { inputs: [{ name: 'input0', shape: [1], datatype: 'BYTES', data: ['x'] }] }, 400, /only input is 'image'/],
      ['wrong datatype', { inputs: [{ name: 'image', shape: [1], datatype: 'FP32', data: [1] }] }, 400, /datatype FP32/],
      ['shape and data disagree', { inputs: [{ name: 'image', shape: [2], datatype: 'BYTES', data: [photo.toString('base64')] }] }, 400, /shape \[2\]/],
      ['unknown output', { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [photo.toString('base64')] }], outputs: [{ name: 'logits' }] }, 400, /Unknown output 'logits'/],
      ['not base64', { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: ['not base64!'] }] }, 400, /not base64/],
      ['not an image', { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [Buffer.from('hello').toString('base64')] }] }, 415, /not an image/],
      ['no inputs', { inputs: [] }, 400, /one input/]
    ]
    for (const [name, payload, status, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v2/models/food/infer', payload })
      t.equal(res.statusCode, status, name)
      t.match(res.json(), { error: message, statusCode: status }, name)
    }
    const header = await app.inject({ method: 'POST', url: '/v2/models/food/infer', headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '99999' }, payload: Buffer.from('{}') })
    t.equal(header.statusCode, 400)
    t.match(header.json(), { error: /Inference-Header-Content-Length/ })
    const unknown = await app.inject({ method: 'POST', url: '/v2/models/dogs/infer', payload: { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [photo.toString('base64')] }] } })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { error: "No model named 'dogs' is loaded (loaded: food).", code: 'MODEL_NOT_FOUND' })
    t.equal((await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).statusCode, 200, 'and the server still answers')
  })
})
