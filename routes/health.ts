import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { LiveSchema, ReadySchema, V2LiveSchema, V2ModelReadySchema, V2ReadySchema, errorResponses, jsonResponse } from './schemas.js'

const DRAINING = { status: 'draining' as const, ready: false, since: '2026-11-24T12:00:05.000Z', models: [{ name: 'food', version: '3.0.0' }], backend: 'wasm' }

/** Probes answer on every call: no access-log line per probe, warnings and errors only. */
const logLevel = 'warn'

const health: FastifyPluginAsyncTypebox = async function health (fastify) {
  const { readiness } = fastify
  const notReady = 'Answers 503 while starting (before the model is loaded and warmed up) and while draining (after SIGTERM or SIGINT).'

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
        503: jsonResponse('Starting or draining: send traffic elsewhere.', ReadySchema, DRAINING)
      }
    }
  }, async function ready (_request, reply) {
    reply.code(readiness.ready ? 200 : 503)
    return {
      status: readiness.state,
      ready: readiness.ready,
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
    reply.code(readiness.ready ? 200 : 503)
    return { ready: readiness.ready }
  })

  fastify.get('/v2/models/:name/ready', {
    logLevel,
    schema: {
      tags: ['operations'],
      operationId: 'modelReady',
      summary: 'Model readiness (Open Inference Protocol)',
      description: `Whether the named model can answer. ${notReady} Answers 404 for a model that is not loaded.`,
      params: Type.Object({ name: Type.String({ description: 'Model name, as listed by GET /models.', examples: ['food'] }) }),
      response: {
        200: jsonResponse('The model can answer.', V2ModelReadySchema),
        404: errorResponses[404],
        503: jsonResponse('Starting or draining: send traffic elsewhere.', V2ModelReadySchema, { name: 'food', ready: false })
      }
    }
  }, async function modelReady (request, reply) {
    const model = fastify.models.get(request.params.name)
    reply.code(readiness.ready ? 200 : 503)
    return { name: model.name, ready: readiness.ready }
  })
}

export default health
