import t from 'tap'
import { buildOutputs, classificationStrings, modelMetadata, readBytesElements, readImages, splitBinaryBody, writeBytesElements } from '../../../services/protocols/open-inference.js'

t.test('BYTES elements round-trip through the binary layout; a truncated one is a 400', async t => {
  const elements = [Buffer.from('first'), Buffer.alloc(0), Buffer.from([0, 255, 7])]
  const data = writeBytesElements(elements)
  t.equal(data.length, 4 * 3 + 5 + 0 + 3)
  t.same(readBytesElements(data), elements)
  t.throws(() => readBytesElements(data.subarray(0, data.length - 1)), { statusCode: 400, message: /claims 3 bytes; only 2 follow/ })
  t.throws(() => readBytesElements(Buffer.from([1, 0])), { statusCode: 400, message: /inside an element's 4-byte length/ })
})

t.test('the binary body splits at Inference-Header-Content-Length', async t => {
  const json = Buffer.from('{"inputs":[]}')
  const body = Buffer.concat([json, Buffer.from('rest')])
  t.same(splitBinaryBody(body, String(json.length)), { request: { inputs: [] }, binary: Buffer.from('rest') })
  for (const bad of [undefined, '-1', 'x', String(body.length + 1)]) t.throws(() => splitBinaryBody(body, bad), { statusCode: 400, message: /Inference-Header-Content-Length/ }, String(bad))
  t.throws(() => splitBinaryBody(body, '3'), { statusCode: 400, message: /is not JSON/ })
})

t.test('images from JSON base64 and from binary data; each bad element is its own error', async t => {
  const images = readImages({ inputs: [{ name: 'image', shape: [2, 1], datatype: 'BYTES', data: [['aGVsbG8='], [7]] }] })
  t.same(images[0], Buffer.from('hello'))
  t.match(images[1], { statusCode: 400, message: /Element 1 .* not a string/ })
  const binary = writeBytesElements([Buffer.from('one'), Buffer.from('two')])
  t.same(readImages({ inputs: [{ name: 'image', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: binary.length } }] }, binary), [Buffer.from('one'), Buffer.from('two')])
  t.throws(() => readImages({ inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', parameters: { binary_data_size: 99 } }] }, binary), { statusCode: 400, message: /does not fit/ })
})

t.test('outputs: FP32 probabilities in label order, classification strings most probable first, binary on request', async t => {
  const rows = [Float32Array.from([0.25, 0.75])]
  t.same(classificationStrings(rows, ['food', 'not_food'], 2), [['0.75:1:not_food', '0.25:0:food']])
  const json = buildOutputs({ inputs: [] }, rows, ['food', 'not_food'])
  t.same(json, { outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }], binary: [] })
  const binary = buildOutputs({ inputs: [], parameters: { binary_data_output: true } }, rows, ['food', 'not_food'])
  t.same(binary.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } }])
  t.same([binary.binary[0].readFloatLE(0), binary.binary[0].readFloatLE(4)], [0.25, 0.75])
  t.throws(() => buildOutputs({ inputs: [], outputs: [{ name: 'probabilities', parameters: { classification: 0 } }] }, rows, ['a', 'b']), { statusCode: 400, message: /classification/ })
})

t.test('model metadata: the versions asked for, the platform, one BYTES input and one FP32 output per label', async t => {
  const v1 = { name: 'food', repositoryVersion: 1, format: 'graph-model' as const, labels: ['food', 'not_food'] }
  const v2 = { ...v1, repositoryVersion: 2 }
  t.same(modelMetadata(v2, [v2, v1]), {
    name: 'food',
    versions: ['2', '1'],
    platform: 'tfjs_graph-model',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }]
  })
  t.same(modelMetadata(v1, [v1]).versions, ['1'], 'one version asked for: that one only')
})
