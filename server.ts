import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import app, { options } from './app.js'
import { ConfigError, loadConfig } from './services/config.js'

let config
try {
  config = loadConfig(process.env)
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

const server = Fastify({ ...options, logger: { level: config.LOG_LEVEL } })
server.register(app, { config })

closeWithGrace({ delay: 10_000 }, async function shutdown ({ signal, err }) {
  if (err) server.log.error({ err }, 'closing after an uncaught error')
  else server.log.info({ signal }, 'closing')
  await server.close()
})

try {
  await server.listen({ port: config.PORT, host: config.HOST })
} catch (err) {
  server.log.fatal({ err }, 'could not start')
  process.exit(1)
}
