import { fastify, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { NaraNode } from '../node/types.js'
import { ApiHostError, ApiPortInUseError, HttpError, type ErrorBody } from './errors.js'
import { registerMetricsRoutes } from './metrics-routes.js'
import { registerInfoRoutes } from './routes.js'
import { registerInspectorRoutes } from './inspector-routes.js'
import { registerStashRoutes } from './stash-routes.js'
import { registerTabRoutes } from './tab-routes.js'

/** The largest request body the API reads. */
export const API_BODY_LIMIT = 64 * 1024

/** The default API host: loopback, since the API has no authentication. */
export const DEFAULT_API_HOST = '127.0.0.1'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost'])
const ROUTES = 'GET /status, /peers, /stash, /stash/held, /behaviors, /stats, /metrics, /tab/ or PUT /stash'

export interface ApiOptions {
  /** @default 0 (an OS-chosen port) */
  port?: number
  /** a loopback host @default '127.0.0.1' */
  host?: string
}

/** A running API server. */
export interface ApiServer {
  /** e.g. http://127.0.0.1:7420 */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/**
 * Starts the local HTTP API of a node (JSON in and out, loopback only).
 *
 * @throws {ApiPortInUseError} when the port is taken
 * @throws {ApiHostError} when `host` is not a loopback host
 */
export async function startApi (node: NaraNode, options: ApiOptions = {}): Promise<ApiServer> {
  const host = options.host ?? DEFAULT_API_HOST
  if (!LOOPBACK_HOSTS.has(host)) throw new ApiHostError(host)
  const port = options.port ?? 0
  const app = buildApi(node)
  try {
    await app.listen({ port, host })
  } catch (err) {
    await app.close()
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ApiPortInUseError(port, host)
    throw err
  }
  const address = app.server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  const urlHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: async () => { await app.close() }
  }
}

/** Host names a request may be addressed to. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1'])

/** The fastify app behind `startApi`, not listening yet (tests use `inject`). */
export function buildApi (node: NaraNode): FastifyInstance {
  const app = fastify({ logger: false, bodyLimit: API_BODY_LIMIT })
  // Every body is JSON whatever its content type (curl -d sends form-urlencoded).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (err) {
      const why = body === '' ? 'the body is empty' : `the body is not JSON (${(err as Error).message})`
      done(new HttpError(400, `${why}; send one JSON value, e.g. {"level":7}`), undefined)
    }
  })
  // A page on another site can resolve its own name to 127.0.0.1 (DNS rebinding) but
  // cannot fake the Host header: only requests addressed to a loopback name are served.
  app.addHook('onRequest', async (request) => {
    const hostname = request.hostname.replace(/^\[(.*)\]$/, '$1')
    if (!LOOPBACK_NAMES.has(hostname)) {
      throw new HttpError(421, `this API only answers requests addressed to 127.0.0.1, localhost or [::1], not "${request.hostname}"`)
    }
  })
  app.setErrorHandler(async (err: FastifyError | HttpError, _request: FastifyRequest, reply: FastifyReply) => {
    const { status, message } = describeError(err)
    if (err instanceof HttpError) void reply.headers(err.headers)
    return await reply.code(status).send({ error: message } satisfies ErrorBody)
  })
  app.setNotFoundHandler(async (request, reply) => {
    const route = `${request.method} ${request.url.split('?')[0]}`
    return await reply.code(404).send({ error: `no route ${route}; try ${ROUTES}` } satisfies ErrorBody)
  })
  registerInfoRoutes(app, node)
  registerStashRoutes(app, node)
  registerInspectorRoutes(app, node)
  registerMetricsRoutes(app, node)
  registerTabRoutes(app, node)
  return app
}

function describeError (err: FastifyError | HttpError): { status: number, message: string } {
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, message: `the request body is larger than ${API_BODY_LIMIT} bytes; send a smaller JSON value` }
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) return { status, message: oneLine(err.message) }
  return { status: 500, message: `internal error: ${oneLine(err.message)}` }
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
