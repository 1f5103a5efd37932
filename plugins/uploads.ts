import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'

/** Image uploads: multipart (field `file`, repeated for several images) buffered within MAX_UPLOAD_BYTES each, or a raw image body. */
export default fp(async function uploads (fastify) {
  const maxBytes = fastify.config.MAX_UPLOAD_BYTES
  await fastify.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxBytes, files: fastify.config.MAX_IMAGES_PER_REQUEST, fields: 10, parts: fastify.config.MAX_IMAGES_PER_REQUEST + 10, fieldSize: 64 * 1024 }
  })
  fastify.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => {
    done(null, body)
  })
}, { name: 'uploads', dependencies: ['config'] })
