import { ErrorCodes, ServiceError } from '../common/errors.js'
import { decodeBase64 } from '../inference/classify.js'

/**
 * The TensorFlow Serving REST API's request bodies, for an image classifier whose one input, `image`, is an encoded
 * image sent as {"b64": "..."} (TF Serving's form for binary strings).
 */

export const TF_INPUT = 'image'

const bad = (message: string) => new ServiceError(ErrorCodes.BAD_REQUEST, 400, message)

type Json = unknown

/** An image value: {"b64": "..."}; an element that is not one is that image's error. */
function imageOf (value: Json, where: string, maxBytes?: number): Buffer | ServiceError {
  try {
    if (typeof value !== 'object' || value === null || typeof (value as { b64?: unknown }).b64 !== 'string') {
      throw bad(`${where} is not {"b64": "<base64>"}: TF Serving sends binary strings, such as encoded images, that way.`)
    }
    return decodeBase64((value as { b64: string }).b64, `${where}.b64`, maxBytes)
  } catch (err) {
    return err as ServiceError
  }
}

/** An instance in the row format: {"b64"} itself (the one input), or {"image": {"b64"}} by name. */
function instanceImage (instance: Json, i: number, maxBytes?: number): Buffer | ServiceError {
  if (typeof instance === 'object' && instance !== null && TF_INPUT in instance) return imageOf((instance as Record<string, Json>)[TF_INPUT], `instances[${i}].${TF_INPUT}`, maxBytes)
  return imageOf(instance, `instances[${i}]`, maxBytes)
}

/**
 * The images of a :predict request, in order, and the format of the answer: the row format ("instances", answered
 * with "predictions") or the columnar one ("inputs", answered with "outputs").
 */
export function predictRequestImages (body: Json, maxBytes?: number): { images: Array<Buffer | ServiceError>, columnar: boolean } {
  if (typeof body !== 'object' || body === null) throw bad('The body is a JSON object with "instances" (row format) or "inputs" (columnar format).')
  const { instances, inputs } = body as { instances?: Json, inputs?: Json }
  if ((instances === undefined) === (inputs === undefined)) throw bad('Send exactly one of "instances" (row format) and "inputs" (columnar format).')
  if (instances !== undefined) {
    if (!Array.isArray(instances) || instances.length === 0) throw bad('"instances" is a non-empty list, one {"b64": "..."} per image.')
    return { images: instances.map((instance, i) => instanceImage(instance, i, maxBytes)), columnar: false }
  }
  // Columnar: {"image": [...]} by name, or the list (or one value) of the only input.
  const column = typeof inputs === 'object' && inputs !== null && !Array.isArray(inputs) && TF_INPUT in inputs ? (inputs as Record<string, Json>)[TF_INPUT] : inputs
  const values = Array.isArray(column) ? column : [column]
  if (values.length === 0) throw bad('"inputs" has no image.')
  return { images: values.map((value, i) => imageOf(value, `inputs[${i}]`, maxBytes)), columnar: true }
}

/** The images of a :classify request: {"examples": [{"image": {"b64": "..."}}, ...]}. */
export function classifyRequestImages (body: Json, maxBytes?: number): Array<Buffer | ServiceError> {
  const examples = (body as { examples?: Json } | null)?.examples
  if (!Array.isArray(examples) || examples.length === 0) throw bad('The body is {"examples": [{"image": {"b64": "..."}}, ...]}, one example per image.')
  if (typeof body === 'object' && body !== null && 'context' in body) throw bad('"context" is not supported: put the image in each example.')
  return examples.map((example, i) => {
    if (typeof example !== 'object' || example === null || !(TF_INPUT in example)) return bad(`examples[${i}] has no "${TF_INPUT}" feature.`)
    return imageOf((example as Record<string, Json>)[TF_INPUT], `examples[${i}].${TF_INPUT}`, maxBytes)
  })
}

/** TF Serving's classification result: per image, [label, score] pairs in the model's label order. */
export function classificationResult (rows: Float32Array[], labels: string[]): Array<Array<[string, number]>> {
  return rows.map(row => labels.map((label, i) => [label, row[i]] as [string, number]))
}
