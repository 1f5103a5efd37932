import { ErrorCodes, ServiceError } from '../common/errors.js'
import { decodeBase64 } from '../inference/classify.js'
import type { ServedModel } from '../models/served-model.js'

/**
 * The KServe V2 / Open Inference Protocol's REST inference request and response, for an image classifier: one
 * BYTES input holding encoded images (base64 strings in JSON, raw bytes with the binary tensor data extension),
 * one FP32 output of probabilities, or with the classification extension "score:index:label" strings.
 */

export const INPUT_NAME = 'image'
export const OUTPUT_NAME = 'probabilities'

export interface InferInput {
  name: string
  shape: number[]
  datatype: string
  parameters?: { binary_data_size?: number, [key: string]: unknown }
  data?: unknown
}

export interface InferRequestedOutput {
  name: string
  parameters?: { classification?: number, binary_data?: boolean, [key: string]: unknown }
}

export interface InferRequest {
  id?: string
  parameters?: { binary_data_output?: boolean, [key: string]: unknown }
  inputs: InferInput[]
  outputs?: InferRequestedOutput[]
}

export interface InferOutput {
  name: string
  datatype: 'FP32' | 'BYTES'
  shape: number[]
  parameters?: { binary_data_size: number }
  data?: number[] | string[]
}

const bad = (message: string) => new ServiceError(ErrorCodes.BAD_REQUEST, 400, message)

type ModelVersion = Pick<ServedModel, 'name' | 'repositoryVersion' | 'format' | 'labels'>

/**
 * A model's metadata as both transports answer it: the versions `serving` (the one asked for, or every serving
 * one), the platform, the one input and the one output.
 */
export function modelMetadata (model: ModelVersion, serving: ModelVersion[]) {
  return {
    name: model.name,
    versions: serving.map(m => String(m.repositoryVersion)),
    platform: `tfjs_${model.format}`,
    inputs: [{ name: INPUT_NAME, datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, model.labels.length] }]
  }
}

/** Splits a binary-extension body into its JSON header and the binary data after it. */
export function splitBinaryBody (body: Buffer, headerLength: string | undefined): { request: unknown, binary: Buffer } {
  const length = Number(headerLength)
  if (!Number.isInteger(length) || length < 0 || length > body.length) {
    throw bad(`Inference-Header-Content-Length must be the byte length of the JSON header at the start of the body (got ${JSON.stringify(headerLength ?? null)}, body ${body.length} bytes).`)
  }
  let request: unknown
  try {
    request = JSON.parse(body.subarray(0, length).toString('utf8'))
  } catch (err) {
    throw bad(`The JSON header (the first ${length} bytes, Inference-Header-Content-Length) is not JSON: ${(err as Error).message}`)
  }
  return { request, binary: body.subarray(length) }
}

/** BYTES elements as the binary extension lays them out: each a 4-byte little-endian length, then the bytes. */
export function readBytesElements (data: Buffer): Buffer[] {
  const elements: Buffer[] = []
  let at = 0
  while (at < data.length) {
    if (at + 4 > data.length) throw bad('The BYTES tensor data ends inside an element\'s 4-byte length.')
    const size = data.readUInt32LE(at)
    if (at + 4 + size > data.length) throw bad(`A BYTES element claims ${size} bytes; only ${data.length - at - 4} follow.`)
    elements.push(data.subarray(at + 4, at + 4 + size))
    at += 4 + size
  }
  return elements
}

export function writeBytesElements (elements: Buffer[]): Buffer {
  return Buffer.concat(elements.flatMap(e => { const size = Buffer.alloc(4); size.writeUInt32LE(e.length); return [size, e] }))
}

/**
 * The encoded images of an inference request, in order; an element that is not base64 is that image's error.
 * `binary` is the data after the JSON header, for inputs sent with the binary tensor data extension.
 */
export function readImages (request: InferRequest, binary: Buffer = Buffer.alloc(0), maxImageBytes?: number): Array<Buffer | ServiceError> {
  if (typeof request !== 'object' || request === null || !Array.isArray(request.inputs) || request.inputs.length !== 1) {
    throw bad(`An inference request has one input, "${INPUT_NAME}": a BYTES tensor of encoded images.`)
  }
  const [input] = request.inputs
  if (input.name !== INPUT_NAME) throw bad(`Unexpected inference input '${String(input.name)}': the model's only input is '${INPUT_NAME}'.`)
  if (input.datatype !== 'BYTES') throw bad(`Input '${INPUT_NAME}' has datatype ${String(input.datatype)}; it is BYTES (encoded images).`)
  if (!Array.isArray(input.shape) || input.shape.some(d => !Number.isInteger(d) || d < 0)) throw bad(`Input '${INPUT_NAME}' needs a shape, such as [1] for one image.`)
  const count = input.shape.reduce((n, d) => n * d, 1)
  let images: Array<Buffer | ServiceError>
  const size = input.parameters?.binary_data_size
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < 0 || size > binary.length) throw bad(`binary_data_size ${String(size)} of input '${INPUT_NAME}' does not fit the ${binary.length} bytes after the JSON header.`)
    if (size !== binary.length) throw bad(`binary_data_size ${size} of input '${INPUT_NAME}' is not the ${binary.length} bytes after the JSON header.`)
    images = readBytesElements(binary.subarray(0, size))
  } else {
    if (input.data === undefined) throw bad(`Input '${INPUT_NAME}' has no data: base64 strings in "data", or binary data with parameters.binary_data_size.`)
    images = ([input.data] as unknown[]).flat(Infinity).map((element, i) => {
      if (typeof element !== 'string') return bad(`Element ${i} of input '${INPUT_NAME}' is not a string: send each image base64-encoded.`)
      try {
        return decodeBase64(element, `Element ${i} of input '${INPUT_NAME}'`, maxImageBytes)
      } catch (err) {
        return err as ServiceError
      }
    })
  }
  if (images.length !== count) throw bad(`Input '${INPUT_NAME}' has shape [${input.shape.join(', ')}] (${count} elements) but ${images.length} images.`)
  return images
}

/** The outputs a request asks for, checked; all of them (one: probabilities) when it names none. */
export function requestedOutputs (request: InferRequest): InferRequestedOutput[] {
  const outputs = request.outputs ?? [{ name: OUTPUT_NAME }]
  for (const output of outputs) {
    if (output.name !== OUTPUT_NAME) throw bad(`Unknown output '${String(output.name)}': the model's only output is '${OUTPUT_NAME}'.`)
    const k = output.parameters?.classification
    if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw bad('parameters.classification is the number of top classes to return, an integer of at least 1.')
  }
  return outputs
}

/** "score:index:label" for the k most probable classes of each row, as the classification extension writes them. */
export function classificationStrings (rows: Float32Array[], labels: string[], k: number): string[][] {
  return rows.map(row => [...row].map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map(({ score, index }) => `${score}:${index}:${labels[index]}`))
}

/**
 * The response's outputs, and the binary data to append after the JSON when an output asks for it (binary_data, or
 * binary_data_output on the request).
 */
export function buildOutputs (request: InferRequest, rows: Float32Array[], labels: string[]): { outputs: InferOutput[], binary: Buffer[] } {
  const binary: Buffer[] = []
  const outputs = requestedOutputs(request).map(requested => {
    const k = requested.parameters?.classification
    const asBinary = requested.parameters?.binary_data ?? request.parameters?.binary_data_output === true
    if (k !== undefined) {
      const strings = classificationStrings(rows, labels, Math.min(k, labels.length))
      const output: InferOutput = { name: requested.name, datatype: 'BYTES', shape: [rows.length, Math.min(k, labels.length)] }
      if (!asBinary) return { ...output, data: strings.flat() }
      const data = writeBytesElements(strings.flat().map(s => Buffer.from(s)))
      binary.push(data)
      return { ...output, parameters: { binary_data_size: data.length } }
    }
    const output: InferOutput = { name: requested.name, datatype: 'FP32', shape: [rows.length, labels.length] }
    if (!asBinary) return { ...output, data: rows.flatMap(r => [...r]) }
    const data = Buffer.alloc(rows.length * labels.length * 4)
    rows.forEach((row, i) => row.forEach((p, j) => data.writeFloatLE(p, (i * labels.length + j) * 4)))
    binary.push(data)
    return { ...output, parameters: { binary_data_size: data.length } }
  })
  return { outputs, binary }
}
