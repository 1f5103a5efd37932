import fp from 'fastify-plugin'
import sharp from 'sharp'
import { createImagePreprocessor, type ImagePreprocessor } from '../services/image/decode.js'

declare module 'fastify' {
  interface FastifyInstance {
    images: ImagePreprocessor
  }
}

export default fp(async function images (fastify) {
  const { config } = fastify
  // libvips threads compete with the inference workers for the cores: one thread per decode by default.
  sharp.concurrency(config.SHARP_CONCURRENCY === 'auto' ? 1 : config.SHARP_CONCURRENCY)
  fastify.decorate('images', createImagePreprocessor({ maxPixels: config.MAX_PIXELS, decodeTimeoutMs: config.DECODE_TIMEOUT_MS }))
}, { name: 'images', dependencies: ['config'] })
