import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'

/** Image uploads: multipart (field `file`) buffered within MAX_UPLOAD_BYTES, or a raw image body. */
export default fp(async function uploads (fastify) {
  const maxBytes = fastify.config.MAX_UPLOAD_BYTES
  await fastify.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxBytes, files: 4, fields: 10, parts: 20, fieldSize: 64 * 1024 }
  })
  fastify.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => {
    done(null, body)
  })
}, { name: 'uploads', dependencies: ['config'] })
