import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import type { NaraNode } from '../node/types.js'
import { inspectorDir } from './inspector-assets.js'
import { inspectorSnapshot } from './inspector-state.js'
import { LiveFeed, type LiveFeedOptions } from './live-feed.js'

/** The page may load only its own files and talk only to this API: injected markup could neither run nor phone home. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Set on the page and its files (sendFile('index.html') included). */
function secure (res: { setHeader: (name: string, value: string) => unknown }): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY)
  res.setHeader('x-content-type-options', 'nosniff')
}

/**
 * The web inspector: GET / is the page, GET /inspector/* its files, and
 * GET /inspector/events the server-sent events that keep it live.
 */
export function registerInspectorRoutes (app: FastifyInstance, node: NaraNode, options: LiveFeedOptions = {}): LiveFeed {
  const feed = new LiveFeed({
    observe: (listener) => node.runtime.observe(listener),
    snapshot: () => inspectorSnapshot(node)
  }, options)
  // Open event streams would keep the server from closing.
  app.addHook('preClose', async () => { feed.close() })

  void app.register(fastifyStatic, { root: inspectorDir(), prefix: '/inspector/', index: false, setHeaders: secure })

  app.get('/', async (_request, reply) => await reply.sendFile('index.html'))

  app.get('/inspector/events', (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive'
    })
    const { detach } = feed.attach(reply.raw)
    request.raw.once('close', detach)
  })
  return feed
}
