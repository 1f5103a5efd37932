import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requiredModels } from '../services/admission/readiness.js'
import { LiveSchema, ReadySchema, V2LiveSchema, V2ReadySchema, jsonResponse } from './schemas.js'

const DRAINING_EXAMPLE = { status: 'draining' as const, ready: false, since: '2026-11-24T12:00:05.000Z', models: [{ name: 'food', version: '4.0.0' }], backend: 'wasm' }

/** Probes answer on every call: no access-log line per probe, warnings and errors only. */
const logLevel = 'warn'

const health: FastifyPluginAsyncTypebox = async function health (fastify) {
  const { readiness, models } = fastify
  const required = requiredModels(fastify.config.REQUIRED_MODELS, models.defaultName)
  // Ready once started and not draining, and only while every required model (REQUIRED_MODELS) serves.
  const isReady = () => readiness.ready && required.every(name => models.isReady(name))
  const notReady = 'Answers 503 while starting (before the model is loaded and warmed up), while a required model (REQUIRED_MODELS, by default the default model) is not loaded, and while draining (after SIGTERM or SIGINT).'

  fastify.get('/health/live', {
    logLevel,
    schema: {
      tags: ['operations'],
      operationId: 'getLiveness',
      summary: 'Liveness',
      description: 'The process is up and its event loop answers. Stays 200 while draining: restarting a draining instance would only cut its requests short.',
      response: { 200: jsonResponse('The process is up.', LiveSchema) }
    }
  }, async function live () {
    return { status: 'live' as const, uptimeSeconds: Math.round(process.uptime() * 1000) / 1000 }
  })

  fastify.get('/health/ready', {
    logLevel,
    schema: {
      tags: ['operations'],
      operationId: 'getReadiness',
      summary: 'Readiness',
      description: `200 when this instance should be sent traffic: the model is loaded and warmed up. ${notReady}`,
      response: {
        200: jsonResponse('Ready: send traffic.', ReadySchema),
        503: jsonResponse('Starting or draining: send traffic elsewhere.', ReadySchema, DRAINING_EXAMPLE)
      }
    }
  }, async function ready (_request, reply) {
    const ready = isReady()
    reply.code(ready ? 200 : 503)
    return {
      status: readiness.state === 'ready' && !ready ? 'starting' as const : readiness.state,
      ready,
      since: readiness.since.toISOString(),
      models: fastify.models.list().map(m => ({ name: m.name, version: m.version })),
      backend: fastify.backend.name
    }
  })

  fastify.get('/v2/health/live', {
    logLevel,
    schema: {
      tags: ['operations'],
      operationId: 'serverLive',
      summary: 'Liveness (Open Inference Protocol)',
      description: 'The Open Inference Protocol (KServe v2) form of GET /health/live.',
      response: { 200: jsonResponse('The process is up.', V2LiveSchema) }
    }
  }, async function serverLive () {
    return { live: true }
  })

  fastify.get('/v2/health/ready', {
    logLevel,
    schema: {
      tags: ['operations'],
      operationId: 'serverReady',
      summary: 'Readiness (Open Inference Protocol)',
      description: `The Open Inference Protocol (KServe v2) form of GET /health/ready. ${notReady}`,
      response: {
        200: jsonResponse('Ready: send traffic.', V2ReadySchema),
        503: jsonResponse('Starting or draining: send traffic elsewhere.', V2ReadySchema, { ready: false })
      }
    }
  }, async function serverReady (_request, reply) {
    const ready = isReady()
    reply.code(ready ? 200 : 503)
    return { ready }
  })
}

export default health
