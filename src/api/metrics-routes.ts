import type { FastifyInstance } from 'fastify'
import type { NaraNode } from '../node/types.js'

/** GET /metrics: the node's metrics in the Prometheus text exposition format, for a Prometheus scraper. */
export function registerMetricsRoutes (app: FastifyInstance, node: NaraNode): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await node.metrics.scrape()
    return await reply.type(contentType).send(text)
  })
}
