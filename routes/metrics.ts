import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'

const metrics: FastifyPluginAsyncTypebox = async function metrics (fastify) {
  fastify.get('/metrics', {
    logLevel: 'warn',
    schema: {
      tags: ['operations'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description: 'Prometheus text format: requests by route, status and error code; request duration; in-flight requests; decode, queue and infer time per model; batch size; queue depth; TF.js tensors and bytes; model info (name, version, backend, digest); process and Node.js metrics, event-loop delay included. Scrape each instance, not the load balancer.',
      response: {
        200: {
          description: 'Prometheus text exposition format 0.0.4.',
          content: { 'text/plain': { schema: Type.String(), example: '# HELP http_requests_total Requests answered, by route, status and error code.\n# TYPE http_requests_total counter\nhttp_requests_total{method="POST",route="/predict",status="200",code=""} 42\n' } }
        }
      }
    }
  }, async function getMetrics (_request, reply) {
    reply.type(fastify.metrics.contentType)
    return fastify.metrics.render()
  })
}

export default metrics
