import type { IncomingMessage } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'

/** How long a connection closed after an early answer keeps reading (and dropping) what its client still sends. */
const LINGER_MS = 2000

/**
 * Whether a request has a body (sized or chunked) whose end has not arrived yet. The requests of inject()
 * (light-my-request) have no `complete`: theirs ends once read.
 */
export const bodyStillArriving = (raw: IncomingMessage): boolean =>
  !((raw.complete as boolean | undefined) ?? raw.readableEnded) && (raw.headers['transfer-encoding'] !== undefined || Number(raw.headers['content-length'] ?? 0) > 0)

const draining = new WeakSet<FastifyRequest>()

/**
 * Keeps the connection after an answer given before the body arrived: Node reads the rest of the body and drops it.
 * For small bodies only (plugins/admission.ts), where reading the rest costs less than a new connection. A rest that
 * has not arrived LINGER_MS after the answer is not waited for: the socket is destroyed (its client, still sending
 * this body, cannot have sent another request on it).
 */
export const drainAfterAnswer = (request: FastifyRequest): void => { draining.add(request) }

/**
 * An answer given before the request's body has arrived (401, 403, 404, 413 by Content-Length, 415 by type, 429,
 * 503 at admission, 408 BODY_TIMEOUT) closes the connection: without Connection: close, Node keeps it and reads the
 * rest of the body first, so a client trickling an upload would hold it until Node's request timeout. Node destroys a
 * closing socket as soon as the answer is written, and a socket closed with unread data sends a reset, so a client
 * still writing gets EPIPE or ECONNRESET, often before it has read the answer. As Apache's and nginx's lingering
 * close: the answer is written and the sending side closed, what the client still sends is read and dropped, and
 * the socket is destroyed when the client closes its side or LINGER_MS later. An answer given once the body has
 * arrived, error or not, keeps the connection (unless Fastify closes it, as it does after a parser error).
 */
export default fp(async function earlyClose (fastify) {
  fastify.addHook('onSend', async function closeBeforeBody (request, reply, payload) {
    const raw = request.raw
    const socket = raw.socket
    if (socket === null || !bodyStillArriving(raw)) return payload
    if (draining.has(request) && !/close/i.test(String(reply.getHeader('connection') ?? ''))) {
      reply.raw.once('finish', function boundDrain () {
        if (!bodyStillArriving(raw)) return
        const timer = setTimeout(() => { if (bodyStillArriving(raw)) socket.destroy() }, LINGER_MS)
        timer.unref()
        raw.once('end', () => clearTimeout(timer))
      })
      return payload
    }
    reply.header('connection', 'close')
    // Node calls destroySoon once the answer is written on a connection it is closing.
    socket.destroySoon = function lingeringClose () {
      socket.end()
      raw.resume()
      socket.resume()
      const timer = setTimeout(() => socket.destroy(), LINGER_MS)
      timer.unref()
      socket.once('end', () => socket.destroy())
      socket.once('close', () => clearTimeout(timer))
    }
    return payload
  })
}, { name: 'early-close' })
