import { status } from '@grpc/grpc-js'
import { ErrorCodes, ServiceError } from '../common/errors.js'
import { INPUT_NAME, buildOutputs, readImages, writeBytesElements, type InferRequest } from './open-inference.js'

/**
 * The Open Inference Protocol over gRPC (proto/grpc_predict_v2.proto), for an image classifier: the messages as
 * @grpc/proto-loader gives them (keepCase, longs as numbers, defaults, oneofs), translated to and from the REST
 * request services/protocols/open-inference.ts already reads and writes, so both transports check inputs and build outputs
 * the same way.
 */

export interface InferParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param'
  bool_param?: boolean
  int64_param?: number
  string_param?: string
  double_param?: number
  uint64_param?: number
}

export interface TensorContents {
  bytes_contents?: Buffer[]
  fp32_contents?: number[]
}

export interface GrpcInferRequest {
  model_name: string
  model_version: string
  id: string
  parameters?: Record<string, InferParameter>
  inputs: Array<{ name: string, datatype: string, shape: number[], parameters?: Record<string, InferParameter>, contents?: TensorContents | null }>
  outputs: Array<{ name: string, parameters?: Record<string, InferParameter> }>
  raw_input_contents: Buffer[]
}

export interface GrpcInferOutput {
  name: string
  datatype: string
  shape: number[]
  contents?: TensorContents
}

export interface GrpcInferResponse {
  model_name: string
  model_version: string
  id: string
  outputs: GrpcInferOutput[]
  raw_output_contents: Buffer[]
}

const bad = (message: string) => new ServiceError(ErrorCodes.BAD_REQUEST, 400, message)

/** A parameter's value, whichever of the oneof it is in. */
export function parameterValue (parameter: InferParameter | undefined): boolean | number | string | undefined {
  if (parameter === undefined || parameter === null) return undefined
  const choice = parameter.parameter_choice
  return choice === undefined ? undefined : parameter[choice]
}

/**
 * The REST form of a gRPC inference request, and the binary data of its one input: its raw_input_contents as they
 * come (BYTES elements length-prefixed), or its contents.bytes_contents laid out the same way, so that
 * readImages checks both as it checks the binary tensor data extension.
 */
export function toRestRequest (request: GrpcInferRequest): { body: InferRequest, binary: Buffer } {
  const inputs = request.inputs ?? []
  if (inputs.length !== 1) throw bad(`An inference request has one input, "${INPUT_NAME}": a BYTES tensor of encoded images.`)
  const [input] = inputs
  const raw = request.raw_input_contents ?? []
  if (raw.length > 1) throw bad(`raw_input_contents has ${raw.length} entries; the request has one input.`)
  const fromContents = input.contents?.bytes_contents ?? []
  if (raw.length === 1 && fromContents.length > 0) throw bad(`Input '${input.name}' has both contents and raw_input_contents: send one.`)
  const binary = raw.length === 1 ? raw[0] : writeBytesElements(fromContents)
  const outputs = (request.outputs ?? []).map(output => {
    const k = parameterValue(output.parameters?.classification)
    if (k !== undefined && typeof k !== 'number') throw bad('parameters.classification is the number of top classes to return: an int64_param.')
    return { name: output.name, parameters: k === undefined ? {} : { classification: k } }
  })
  return {
    body: {
      ...(request.id !== '' ? { id: request.id } : {}),
      inputs: [{ name: input.name, datatype: input.datatype, shape: input.shape.map(Number), parameters: { binary_data_size: binary.length } }],
      ...(outputs.length > 0 ? { outputs } : {})
    },
    binary
  }
}

/** The encoded images of a gRPC inference request, in order; an image's own problem is its error. */
export function readGrpcImages (request: GrpcInferRequest, maxImageBytes: number): { images: Array<Buffer | ServiceError>, body: InferRequest, raw: boolean } {
  const { body, binary } = toRestRequest(request)
  return { images: readImages(body, binary, maxImageBytes), body, raw: (request.raw_input_contents ?? []).length > 0 }
}

/**
 * The response: the FP32 probabilities [N, labels], or with the classification parameter the top K as
 * "score:index:label" BYTES. As Triton does, a request that sent raw_input_contents gets raw_output_contents
 * (FP32 little-endian; BYTES length-prefixed), one that sent contents gets contents.
 */
export function buildGrpcResponse (body: InferRequest, raw: boolean, rows: Float32Array[], labels: string[], model: { name: string, version: string }): GrpcInferResponse {
  const { outputs } = buildOutputs(body, rows, labels)
  const rawOutputs: Buffer[] = []
  const grpcOutputs = outputs.map(output => {
    const tensor: GrpcInferOutput = { name: output.name, datatype: output.datatype, shape: output.shape }
    if (output.datatype === 'BYTES') {
      const strings = (output.data as string[]).map(s => Buffer.from(s))
      if (raw) rawOutputs.push(writeBytesElements(strings))
      else tensor.contents = { bytes_contents: strings }
    } else {
      const values = output.data as number[]
      if (raw) {
        const data = Buffer.alloc(values.length * 4)
        values.forEach((v, i) => data.writeFloatLE(v, i * 4))
        rawOutputs.push(data)
      }
      else tensor.contents = { fp32_contents: values }
    }
    return tensor
  })
  return { model_name: model.name, model_version: model.version, id: body.id ?? '', outputs: grpcOutputs, raw_output_contents: rawOutputs }
}

/** The gRPC status of a service error: what a client of the protocol branches on. */
export function grpcStatusOf (err: unknown): status {
  if (!(err instanceof ServiceError)) return status.INTERNAL
  if (err.code === 'DEADLINE_EXCEEDED') return status.DEADLINE_EXCEEDED
  switch (err.statusCode) {
    case 400: case 413: case 415: case 422: return status.INVALID_ARGUMENT
    case 401: return status.UNAUTHENTICATED
    case 403: return status.PERMISSION_DENIED
    case 404: return status.NOT_FOUND
    case 408: return status.DEADLINE_EXCEEDED
    case 429: return status.RESOURCE_EXHAUSTED
    case 503: return status.UNAVAILABLE
    default: return status.INTERNAL
  }
}
