import fp from 'fastify-plugin'

/**
 * The policy of the HTML pages (the page at / and Swagger UI at /docs): scripts, styles and fonts from this service
 * only (neither page has an inline script), images also from data: and blob: (Swagger UI's icons, the page's preview
 * of the chosen photo), requests to this service only, and no framing by any other page (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI's bundle adds one <style> element; its hash, not 'unsafe-inline' (the browser test fails if it changes).
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** nosniff on every response; on HTML, the content security policy and its companions. */
export default fp(async function safeHeaders (fastify) {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    if (/^text\/html\b/i.test(String(reply.getHeader('content-type') ?? ''))) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
      reply.header('x-frame-options', 'DENY')
      reply.header('referrer-policy', 'no-referrer')
      reply.header('cross-origin-opener-policy', 'same-origin')
    }
    return payload
  })
}, { name: 'safe-headers' })
