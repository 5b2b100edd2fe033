import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { NaraNode } from '../node/types.js'
import { inspectorDir } from './inspector-assets.js'
import { HttpError } from './errors.js'

/**
 * The tab's page may load only its own files and dial naras over WebSockets: nothing
 * else leaves it, and injected markup could not run.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Where dist/browser/nara.js is from this module: the sources (src/api/), the tsc output (dist/src/api/), the CLI bundle (dist/). */
const BUNDLE_CANDIDATES = ['../../dist/browser/nara.js', '../../browser/nara.js', './browser/nara.js']

/** The browser build of nara, if it has been built. */
export function browserBundle (from: string | URL = import.meta.url): string | undefined {
  return BUNDLE_CANDIDATES.map(c => fileURLToPath(new URL(c, from))).find(file => existsSync(file))
}

/** What the page of GET /tab/ joins through. */
export interface TabJoinBody {
  /** the serving nara's name */
  name: string
  /** its WebSocket multiaddrs, each ending in /p2p/<PeerID>; empty when it has no WebSocket listener */
  addresses: string[]
}

/** The serving nara's WebSocket addresses, ready to dial. */
export function webSocketAddresses (node: NaraNode): string[] {
  const peer = `/p2p/${node.peerId()}`
  return node.multiaddrs()
    .filter(a => /\/wss?(\/|$)/.test(a) && !a.includes('/p2p-circuit'))
    .map(a => a.endsWith(peer) ? a : `${a}${peer}`)
}

/**
 * A nara in a browser tab: GET /tab/ is a page that starts one, joined through this
 * nara's WebSocket address (GET /tab/join), with its script (/tab/tab.js) and the
 * browser build of nara (/tab/nara.js).
 */
export function registerTabRoutes (app: FastifyInstance, node: NaraNode): void {
  // read and sent here rather than by the inspector's static files, whose policy allows no WebSocket
  const send = async (reply: FastifyReply, file: string, type: string): Promise<FastifyReply> => await reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .type(type)
    .send(await readFile(file))
  app.get('/tab', async (_request, reply) => await reply.redirect('/tab/'))
  app.get('/tab/', async (_request, reply) => await send(reply, `${inspectorDir()}tab.html`, 'text/html; charset=utf-8'))
  app.get('/tab/tab.js', async (_request, reply) => await send(reply, `${inspectorDir()}tab.js`, 'text/javascript; charset=utf-8'))
  app.get('/tab/join', async (): Promise<TabJoinBody> => ({ name: node.identity.name, addresses: webSocketAddresses(node) }))
  app.get('/tab/nara.js', async (_request, reply) => {
    const bundle = browserBundle()
    if (bundle === undefined) throw new HttpError(404, 'the browser build of nara is missing; run npm run build')
    return await send(reply, bundle, 'text/javascript; charset=utf-8')
  })
}
