import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

t.test('TensorFlow Serving REST API', async t => {
  const app = await build(t)
  const { readdir } = await import('node:fs/promises')
  const { fixture } = await import('../helper.js')
  const [first] = (await readdir(fixture('photos/food'))).filter(f => f.endsWith('.jpg')).sort()
  const photo = await readFixture('photos/food', first)
  const flower = await readFixture('images', 'flower.jpg')
  const b64 = (buf: Buffer) => ({ b64: buf.toString('base64') })
  const predicted = (await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })).json()
  const labels = ['food', 'not_food']
  const ofPredicted = (row: number[]) => row[labels.indexOf(predicted.label)]

  t.test('model status and metadata', async t => {
    const status = { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] }
    t.same((await app.inject('/v1/models/food')).json(), status)
    t.same((await app.inject('/v1/models/food/versions/1')).json(), status)
    const metadata = (await app.inject('/v1/models/food/metadata')).json()
    t.same(metadata.model_spec, { name: 'food', signature_name: '', version: '1' })
    const signature = metadata.metadata.signature_def.signature_def.serving_default
    t.equal(signature.inputs.image.dtype, 'DT_STRING')
    t.same(signature.outputs.probabilities.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '2'])
    t.same(metadata.metadata.signature_def.labels, labels)
    const missing = await app.inject('/v1/models/food/versions/2')
    t.equal(missing.statusCode, 404)
    t.match(missing.json(), { error: "Model 'food' has no version '2' loaded (loaded versions: 1)." })
  })

  t.test(':predict in the row and the columnar format gives /predict\'s probability', async t => {
    const rows = await app.inject({ method: 'POST', url: '/v1/models/food:predict', payload: { instances: [b64(photo), { image: b64(flower) }] } })
    t.equal(rows.statusCode, 200)
    const { predictions } = rows.json()
    t.equal(predictions.length, 2)
    t.ok(Math.abs(ofPredicted(predictions[0]) - predicted.probability) < 1e-6, 'the same probability as /predict')
    t.ok(predictions[1][1] > predictions[1][0], 'the flower is not food')
    const columns = await app.inject({ method: 'POST', url: '/v1/models/food/versions/1:predict', payload: { inputs: { image: [b64(photo)] } } })
    t.equal(columns.statusCode, 200)
    t.ok(Math.abs(ofPredicted(columns.json().outputs[0]) - predicted.probability) < 1e-6)
  })

  t.test(':classify answers [label, score] pairs', async t => {
    const res = await app.inject({ method: 'POST', url: '/v1/models/food:classify', payload: { examples: [{ image: b64(photo) }] } })
    t.equal(res.statusCode, 200)
    const [[first, second]] = res.json().result
    t.equal(first[0], 'food')
    t.equal(second[0], 'not_food')
    const score = predicted.label === 'food' ? first[1] : second[1]
    t.ok(Math.abs(score - predicted.probability) < 1e-6, 'the same probability as /predict')
    t.equal((await app.inject({ method: 'POST', url: '/v1/models/food/versions/1:classify', payload: { examples: [{ image: b64(photo) }] } })).statusCode, 200)
  })

  t.test('errors are {"error": "..."} with the right status', async t => {
    const cases: Array<[string, string, object, number, RegExp]> = [
      ['instances and inputs', ':predict', { instances: [b64(photo)], inputs: [b64(photo)] }, 400, /exactly one of/],
      ['not b64', ':predict', { instances: ['plain string'] }, 400, /not \{"b64"/],
      ['not an image', ':predict', { instances: [b64(Buffer.from('hello'))] }, 415, /not an image/],
      ['no examples', ':classify', { examples: [] }, 400, /examples/],
      ['example without image', ':classify', { examples: [{ photo: b64(photo) }] }, 400, /image/]
    ]
    for (const [name, verb, payload, status, message] of cases) {
      const res = await app.inject({ method: 'POST', url: `/v1/models/food${verb}`, payload })
      t.equal(res.statusCode, status, name)
      t.match(res.json(), { error: message }, name)
    }
    const unknown = await app.inject({ method: 'POST', url: '/v1/models/dogs:predict', payload: { instances: [b64(photo)] } })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { error: /No model named 'dogs'/, code: 'MODEL_NOT_FOUND' })
  })
})
