/**
 * The service as server.ts builds it, in a child process forked by test/corpus/server-harness.ts for the corpus
 * and fuzz runs: on 127.0.0.1, an ephemeral port, with an IPC channel that reports the process's memory (RSS covers
 * the inference worker threads too) and the live tensor count of every TF.js engine. A crash here (a native decoder fault, an uncaught error) ends this process, not the runner.
 */
import Fastify from 'fastify'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import app, { options } from '../../app.js'
import { loadConfig } from '../../services/common/config.js'

export interface ServerStats {
  rss: number
  maxRss: number
  heapUsed: number
  external: number
  tensors: number
  sharp: { queue: number, process: number }
}

const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env, HOST: '127.0.0.1', PORT: '0' })
const server = Fastify({ ...options, logger: { level: config.LOG_LEVEL } })
await server.register(app, { config })
await server.listen({ host: config.HOST, port: config.PORT })
const address = server.server.address()
if (address === null || typeof address === 'string') throw new Error('no TCP address')

const gc = (globalThis as { gc?: () => void }).gc
/** Live tensors: this thread's engine plus the inference workers' engines, as GET /models reports them. */
async function liveTensors (): Promise<number> {
  const listed = (await server.inject({ method: 'GET', url: '/models' })).json() as { models?: Array<{ inference?: { tensors?: number } }> }
  return tf.memory().numTensors + (listed.models ?? []).reduce((n, m) => n + (m.inference?.tensors ?? 0), 0)
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    gc?.()
    liveTensors().then(tensors => {
      const memory = process.memoryUsage()
      const stats: ServerStats = {
        rss: memory.rss,
        maxRss: process.resourceUsage().maxRSS * 1024,
        heapUsed: memory.heapUsed,
        external: memory.external,
        tensors,
        sharp: sharp.counters()
      }
      process.send?.({ type: 'stats', stats })
    }, err => { console.error('stats failed', err) })
  } else if (message.type === 'close') {
    server.close().then(() => process.exit(0), () => process.exit(1))
  }
})
process.on('disconnect', () => { server.close().finally(() => process.exit(0)) })
process.send?.({ type: 'listening', url: `http://127.0.0.1:${address.port}` })
