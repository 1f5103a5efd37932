import fp from 'fastify-plugin'
import { loadConfig, type Config } from '../services/common/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface ConfigPluginOptions {
  /** Already validated config (server.ts); otherwise `env` is read and validated. */
  config?: Config
  env?: Record<string, string | undefined>
}

export default fp<ConfigPluginOptions>(async function config (fastify, opts) {
  fastify.decorate('config', opts.config ?? loadConfig(opts.env ?? process.env))
}, { name: 'config' })
