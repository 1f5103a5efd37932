import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import { jsonBodyLimit } from '../services/inference.js'

/** Image uploads: multipart (field `file`, repeated for several images) buffered within MAX_UPLOAD_BYTES each, or a raw image body. */
export default fp(async function uploads (fastify) {
  const maxBytes = fastify.config.MAX_UPLOAD_BYTES
  await fastify.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxBytes, files: fastify.config.MAX_IMAGES_PER_REQUEST, fields: 10, parts: fastify.config.MAX_IMAGES_PER_REQUEST + 10, fieldSize: 64 * 1024 }
  })
  // JSON bodies carry base64 images (POST /predict, V2 infer, TF Serving): up to MAX_REQUEST_BYTES of them.
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: jsonBodyLimit(fastify.config.MAX_REQUEST_BYTES) }, fastify.getDefaultJsonParser('error', 'error'))
  fastify.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => {
    done(null, body)
  })
}, { name: 'uploads', dependencies: ['config'] })
