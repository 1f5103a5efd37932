import fp from 'fastify-plugin'
import { createImagePreprocessor, type ImagePreprocessor } from '../services/image.js'

declare module 'fastify' {
  interface FastifyInstance {
    images: ImagePreprocessor
  }
}

export default fp(async function images (fastify) {
  const { config } = fastify
  fastify.decorate('images', createImagePreprocessor({ maxPixels: config.MAX_PIXELS, decodeTimeoutMs: config.DECODE_TIMEOUT_MS }))
}, { name: 'images', dependencies: ['config'] })
