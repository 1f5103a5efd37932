import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { AdmissionLimiter } from '../services/admission/concurrency-limit.js'
import { errorEnvelope } from '../services/common/errors.js'
import { bodyStillArriving, drainAfterAnswer } from './early-close.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An inference route: its requests count against the admission limit and are refused over it. */
    admission?: boolean
  }
  interface FastifyInstance {
    admission: AdmissionLimiter
  }
}

/** Bodies up to this are drained after a refusal (the connection stays open); larger or unsized ones close it. */
const DRAIN_BYTES = 1024 * 1024
/** At most this many refusals are held (ADMISSION_HOLD_MS) at once; past it they are answered at once. */
const MAX_HELD = 1024

const refused = new WeakSet<FastifyRequest>()
const bodyReceivedAt = new WeakMap<FastifyRequest, number>()

/** Whether a request was refused at admission: the per-request log skips those (plugins/request-log.ts). */
export const refusedAtAdmission = (request: FastifyRequest): boolean => refused.has(request)

/**
 * Admission for inference requests (services/admission/concurrency-limit.ts). A slot is taken once the request's body has arrived,
 * so it counts work, not uploads: a client trickling its body holds no slot, and cannot starve the others. Uploads
 * still arriving are bounded on their own (MAX_UPLOADS_IN_PROGRESS, 503 UPLOADS_BUSY), and cut at BODY_TIMEOUT_MS
 * (plugins/body-timeout.ts). While every slot is taken a request is refused at once, before its body is read: a
 * 503 OVERLOADED envelope with Retry-After, no error-handler log line, nothing decoded. Routes opt in with
 * `config: { admission: true }` and must be registered after this plugin. The limit adapts to the latency of
 * admitted requests, measured from their body received to their answer sent, so a slow upload does not count as a
 * slow server.
 */
export default fp(async function admission (fastify) {
  const { ADMISSION_LIMIT, ADMISSION_TOLERANCE, ADMISSION_HOLD_MS, MAX_QUEUE, MAX_UPLOADS_IN_PROGRESS } = fastify.config
  const settings = fastify.models.default.settings
  const minLimit = Math.max(2, Math.max(1, settings.workers) * settings.maxBatchSize)
  const limiter = new AdmissionLimiter({
    fixed: typeof ADMISSION_LIMIT === 'number' ? ADMISSION_LIMIT : undefined,
    minLimit: typeof ADMISSION_LIMIT === 'number' ? Math.min(minLimit, ADMISSION_LIMIT) : minLimit,
    maxLimit: typeof ADMISSION_LIMIT === 'number' ? Math.max(minLimit, ADMISSION_LIMIT) : MAX_QUEUE + minLimit,
    tolerance: ADMISSION_TOLERANCE,
    // Every runner busy and one batch more waiting for each: a server at capacity serves that many without refusing.
    floor: 2 * minLimit
  })
  /** Inference requests whose body is still arriving, and those refused because too many were (UPLOADS_BUSY). */
  let uploading = 0
  let uploadsRefused = 0
  /** Refusals waiting out ADMISSION_HOLD_MS: answered when it ends, when their client leaves, or at shutdown. */
  const held = new Map<FastifyReply, { timer: NodeJS.Timeout, answer: () => void }>()
  function release (reply: FastifyReply, answer: boolean): void {
    const hold = held.get(reply)
    if (hold === undefined) return
    clearTimeout(hold.timer)
    held.delete(reply)
    if (answer) hold.answer()
  }

  fastify.decorate('admission', limiter)
  fastify.metrics.setAdmissionSource(() => ({ ...limiter.state(), held: held.size, uploading }))
  // At shutdown a held refusal is answered now rather than keeping the server open for its hold.
  fastify.addHook('preClose', function answerHeldRefusals (done) {
    for (const reply of [...held.keys()]) release(reply, true)
    done()
  })

  /** Answers a refused request: held (ADMISSION_HOLD_MS) when its body is read or small, at once otherwise. */
  function refuse (request: FastifyRequest, reply: FastifyReply, code: 'OVERLOADED' | 'UPLOADS_BUSY', message: string, retryAfter: number, bodyRead: boolean): void {
    refused.add(request)
    const length = Number(request.headers['content-length'])
    const drained = bodyRead || length <= DRAIN_BYTES
    // Larger or unsized bodies still arriving close the connection (plugins/early-close.ts).
    if (drained) drainAfterAnswer(request)
    const envelope = errorEnvelope(503, code, message)
    if (request.routeOptions.config.protocolErrors === true) envelope.error = envelope.message
    const answer = (): void => { reply.code(503).header('retry-after', String(retryAfter)).send(envelope) }
    // Held: a client that ignores Retry-After comes back no sooner than the hold, so a retry storm costs the
    // server (and the cores it shares) a refusal per client per hold instead of as many as the clients can send.
    // The upload is not read meanwhile; one that will be cut (large or unsized) is answered at once. Up to a
    // quarter less, at random, so that refusals of one burst do not come back, and are refused again, in step.
    if (ADMISSION_HOLD_MS > 0 && drained && held.size < MAX_HELD) {
      held.set(reply, { timer: setTimeout(() => release(reply, true), Math.min(ADMISSION_HOLD_MS, retryAfter * 1000) * (0.75 + 0.25 * Math.random())), answer })
      reply.raw.once('close', () => release(reply, false))
      return
    }
    answer()
  }
  const retryAfterSeconds = (): number => {
    const latency = limiter.latencyMs
    return Number.isFinite(latency) ? Math.max(1, Math.ceil(latency / 1000)) : 1
  }
  const overloaded = (): string => `The server is at its limit of ${limiter.limit} requests being worked on (ADMISSION_LIMIT); retry in ${retryAfterSeconds()} s.`

  /** Before the body: refused at once while every slot is taken, or while too many uploads are arriving. */
  function screen (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (limiter.full) {
      limiter.countRefusal()
      refuse(request, reply, 'OVERLOADED', overloaded(), retryAfterSeconds(), false)
      return
    }
    const raw = request.raw
    if (bodyStillArriving(raw)) {
      if (uploading >= MAX_UPLOADS_IN_PROGRESS) {
        uploadsRefused++
        refuse(request, reply, 'UPLOADS_BUSY', `${uploading} uploads are still arriving, the limit of uploads in progress (MAX_UPLOADS_IN_PROGRESS=${MAX_UPLOADS_IN_PROGRESS}); retry in 1 s.`, 1, false)
        return
      }
      uploading++
      let counted = true
      const uploaded = (): void => { if (counted) { counted = false; uploading-- } }
      raw.once('end', uploaded)
      reply.raw.once('close', uploaded)
    }
    done()
  }
  /** The body has arrived: now the request takes a slot, or is refused (its body read, so the connection is kept). */
  function admit (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (!limiter.tryAcquire()) {
      refuse(request, reply, 'OVERLOADED', overloaded(), retryAfterSeconds(), true)
      return
    }
    bodyReceivedAt.set(request, performance.now())
    reply.raw.once('close', () => {
      const started = bodyReceivedAt.get(request)
      // Only finished answers the server worked on measure its load; a client gone early, or a refusal from the
      // queue behind, does not.
      const measured = started !== undefined && reply.raw.writableFinished && reply.statusCode !== 503
      limiter.release(measured ? performance.now() - started : undefined)
    })
    done()
  }
  fastify.metrics.setUploadSource(() => ({ uploading, refused: uploadsRefused }))
  // Route-level hooks, added after those of the plugins registered before (API keys, rate limits): a request that
  // would be refused anyway for its key or its rate takes no slot.
  fastify.addHook('onRoute', function limitRoute (route) {
    if (route.config?.admission !== true || ADMISSION_LIMIT === 'off') return
    route.onRequest = [...[route.onRequest ?? []].flat(), screen]
    route.preHandler = [...[route.preHandler ?? []].flat(), admit]
  })
}, { name: 'admission', dependencies: ['config', 'model', 'metrics', 'early-close'] })
