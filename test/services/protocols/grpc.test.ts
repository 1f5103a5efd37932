import { status } from '@grpc/grpc-js'
import t from 'tap'
import { OverloadedError, ServiceError } from '../../../services/common/errors.js'
import { buildGrpcResponse, grpcStatusOf, readGrpcImages, type GrpcInferRequest } from '../../../services/protocols/grpc.js'
import { writeBytesElements } from '../../../services/protocols/open-inference.js'

const request = (over: Partial<GrpcInferRequest> = {}): GrpcInferRequest => ({
  model_name: 'food', model_version: '', id: '', inputs: [{ name: 'image', datatype: 'BYTES', shape: [2], contents: { bytes_contents: [Buffer.from('a'), Buffer.from('bc')] } }], outputs: [], raw_input_contents: [], ...over
})

t.test('images from contents.bytes_contents or raw_input_contents, checked as over REST', async t => {
  t.same(readGrpcImages(request(), 100).images.map(String), ['a', 'bc'])
  const raw = request({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [2] }], raw_input_contents: [writeBytesElements([Buffer.from('x'), Buffer.from('yz')])] })
  const read = readGrpcImages(raw, 100)
  t.same(read.images.map(String), ['x', 'yz'])
  t.equal(read.raw, true)
  t.throws(() => readGrpcImages(request({ inputs: [{ name: 'input0', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('a')] } }] }), 100), { statusCode: 400, message: /only input is 'image'/ })
  t.throws(() => readGrpcImages(request({ inputs: [{ name: 'image', datatype: 'BYTES', shape: [3], contents: { bytes_contents: [Buffer.from('a')] } }] }), 100), { statusCode: 400, message: /shape \[3\]/ }, 'shape and count disagree')
  t.throws(() => readGrpcImages(request({ raw_input_contents: [Buffer.from([1, 0, 0, 0, 0x61])] }), 100), { statusCode: 400, message: /both contents and raw_input_contents/ }, 'contents and raw at once')
})

t.test('outputs: FP32 in contents, raw little-endian for a raw request, classification strings', async t => {
  const rows = [Float32Array.of(0.25, 0.75)]
  const labels = ['food', 'not_food']
  const plain = buildGrpcResponse({ inputs: [] }, false, rows, labels, { name: 'food', version: '1' })
  t.match(plain.outputs[0], { name: 'probabilities', datatype: 'FP32', shape: [1, 2], contents: { fp32_contents: [0.25, 0.75] } })
  const raw = buildGrpcResponse({ inputs: [] }, true, rows, labels, { name: 'food', version: '1' })
  t.same([raw.raw_output_contents[0].readFloatLE(0), raw.raw_output_contents[0].readFloatLE(4)], [0.25, 0.75])
  const top = buildGrpcResponse({ inputs: [], outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] }, false, rows, labels, { name: 'food', version: '1' })
  t.same(top.outputs[0].contents?.bytes_contents?.map(String), ['0.75:1:not_food'])
})

t.test('service errors map to gRPC status codes', async t => {
  t.equal(grpcStatusOf(new ServiceError('UNAUTHORIZED', 401, 'x')), status.UNAUTHENTICATED)
  t.equal(grpcStatusOf(new OverloadedError('DEADLINE_EXCEEDED', 'x', 1)), status.DEADLINE_EXCEEDED)
  t.equal(grpcStatusOf(new OverloadedError('OVERLOADED', 'x', 1)), status.UNAVAILABLE)
  t.equal(grpcStatusOf(new OverloadedError('QUEUE_FULL', 'x', 1)), status.UNAVAILABLE)
  t.equal(grpcStatusOf(new ServiceError('UNDECODABLE_IMAGE', 422, 'x')), status.INVALID_ARGUMENT)
  t.equal(grpcStatusOf(new ServiceError('MODEL_NOT_FOUND', 404, 'x')), status.NOT_FOUND)
  t.equal(grpcStatusOf(new ServiceError('FORBIDDEN', 403, 'x')), status.PERMISSION_DENIED)
  t.equal(grpcStatusOf(new Error('boom')), status.INTERNAL)
})
