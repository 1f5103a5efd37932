import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import { ServiceError, ErrorCodes, jsonBodyTooLarge, payloadTooLarge } from '../services/common/errors.js'
import { jsonBodyLimit } from '../services/inference/classify.js'

/** Room in a multipart body beyond its images: boundaries and part headers (per part), and the small fields. */
const MULTIPART_PART_BYTES = 1024
const MULTIPART_FIELDS_BYTES = 64 * 1024

/**
 * Image uploads: multipart (field `file`, repeated for several images) buffered within MAX_UPLOAD_BYTES each, or a raw
 * image body. A body declared (Content-Length) larger than its content type's limit is refused with 413 before a byte
 * of it is read, and before `100 Continue` is sent to a client that asked for it (Expect: 100-continue), so such a
 * client never sends it: Node answers 100 Continue itself before the request reaches Fastify, so the server takes
 * over `checkContinue` and sends 100 Continue from preParsing, once every onRequest hook (this one, API keys, rate
 * limits, admission) has let the request through. The body unread, the refusal closes the connection
 * (plugins/early-close.ts).
 */
export default fp(async function uploads (fastify) {
  const { MAX_UPLOAD_BYTES: maxBytes, MAX_REQUEST_BYTES, MAX_IMAGES_PER_REQUEST } = fastify.config
  await fastify.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxBytes, files: MAX_IMAGES_PER_REQUEST, fields: 10, parts: MAX_IMAGES_PER_REQUEST + 10, fieldSize: 64 * 1024 }
  })
  // JSON bodies carry base64 images (POST /predict, V2 infer, TF Serving): up to MAX_REQUEST_BYTES of them.
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: jsonBodyLimit(MAX_REQUEST_BYTES) }, fastify.getDefaultJsonParser('error', 'error'))
  fastify.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => {
    done(null, body)
  })

  const multipartLimit = Math.min(MAX_REQUEST_BYTES, MAX_IMAGES_PER_REQUEST * maxBytes) + (MAX_IMAGES_PER_REQUEST + 10) * MULTIPART_PART_BYTES + MULTIPART_FIELDS_BYTES
  /** The largest body a content type may declare, with the setting that sets it; undefined: Fastify's own limit. */
  function declaredLimit (contentType: string): { bytes: number, what: string, raw?: true, json?: true } | undefined {
    if (/^multipart\/form-data/i.test(contentType)) return { bytes: multipartLimit, what: `${MAX_REQUEST_BYTES} bytes of images per request (MAX_REQUEST_BYTES) in multipart form` }
    if (/^application\/json/i.test(contentType)) return { bytes: jsonBodyLimit(MAX_REQUEST_BYTES), what: `${MAX_REQUEST_BYTES} bytes of images per request (MAX_REQUEST_BYTES), base64-encoded`, json: true }
    if (/^(image\/|application\/octet-stream)/i.test(contentType)) return { bytes: maxBytes, what: `${maxBytes} bytes per image (MAX_UPLOAD_BYTES)`, raw: true }
    return undefined
  }

  fastify.server.on('checkContinue', (req, res) => fastify.server.emit('request', req, res))
  fastify.addHook('onRequest', async function refuseDeclaredLength (request) {
    const declared = Number(request.headers['content-length'])
    if (!Number.isFinite(declared)) return
    const limit = declaredLimit(String(request.headers['content-type'] ?? ''))
    if (limit === undefined || declared <= limit.bytes) return
    // A raw image or JSON: the same answer as when Fastify's parser meets the limit (app.ts).
    if (limit.raw === true) throw payloadTooLarge(maxBytes)
    if (limit.json === true) throw jsonBodyTooLarge(limit.bytes, MAX_REQUEST_BYTES)
    throw new ServiceError(ErrorCodes.PAYLOAD_TOO_LARGE, 413, `The request declares ${declared} bytes (Content-Length), more than the limit of ${limit.bytes} bytes: ${limit.what}. Nothing was read.`)
  })
  fastify.addHook('preParsing', async function sendContinue (request, reply, payload) {
    if (/100-continue/i.test(String(request.headers.expect ?? '')) && !reply.raw.headersSent) reply.raw.writeContinue()
    return payload
  })
}, { name: 'uploads', dependencies: ['config', 'early-close'] })
