import Fastify from 'fastify'
import t from 'tap'
import config from '../../plugins/config.js'

t.test('the config plugin decorates the validated config', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(config, { env: { PORT: '4123', MAX_PIXELS: '123' } })
  await app.ready()
  t.equal(app.config.PORT, 4123)
  t.equal(app.config.MAX_PIXELS, 123)
  t.equal(app.config.INFERENCE_BACKEND, 'auto')
})

t.test('an invalid environment makes ready() fail with the variable named', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(config, { env: { MAX_UPLOAD_BYTES: 'lots' } })
  await t.rejects(async () => { await app.ready() }, { name: 'ConfigError', message: /MAX_UPLOAD_BYTES="lots": must be integer/ })
})
