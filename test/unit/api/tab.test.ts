import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApi } from '../../../src/api/server.js'
import { browserBundle, webSocketAddresses } from '../../../src/api/tab-routes.js'
import { fakeNode, type FakeNode } from './fake-node.js'

const apps: FastifyInstance[] = []
const nodes: FakeNode[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
  for (const node of nodes.splice(0)) await node.stop()
})

async function apiOf (multiaddrs: string[]): Promise<{ app: FastifyInstance, node: FakeNode }> {
  const base = await fakeNode('tab-api')
  const node: FakeNode = { ...base, multiaddrs: () => multiaddrs }
  nodes.push(base)
  const app = buildApi(node)
  apps.push(app)
  return { app, node }
}

describe('GET /tab/', () => {
  it('tells the page the serving nara\'s WebSocket addresses, each ending in its PeerID', async () => {
    const { app, node } = await apiOf([
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW-fake-tab-api',
      '/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooW-fake-tab-api',
      '/ip4/10.0.0.5/tcp/4443/wss',
      '/ip4/10.0.0.9/tcp/4001/p2p/12D3KooW-relay/p2p-circuit/ws'
    ])
    const res = await app.inject({ url: '/tab/join' })
    expect(res.json()).toEqual({
      name: 'tab-api',
      addresses: ['/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooW-fake-tab-api', '/ip4/10.0.0.5/tcp/4443/wss/p2p/12D3KooW-fake-tab-api']
    })
    expect(webSocketAddresses(node)).toEqual(res.json().addresses)
  })

  it('gives no address to join through when the nara has no WebSocket listener (the page says so)', async () => {
    const { app } = await apiOf(['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW-fake-tab-api'])
    expect((await app.inject({ url: '/tab/join' })).json().addresses).toEqual([])
    const page = await app.inject({ url: '/tab/tab.js' })
    expect(page.body).toContain('has no WebSocket listener')
  })

  it('serves the page under a policy that lets it dial WebSockets and load only its own scripts', async () => {
    const { app } = await apiOf([])
    expect((await app.inject({ url: '/tab' })).headers.location).toBe('/tab/')
    const page = await app.inject({ url: '/tab/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('<script type="module" src="/tab/tab.js">')
    const policy = String(page.headers['content-security-policy'])
    expect(policy).toContain("connect-src 'self' ws: wss:")
    expect(policy).toContain("default-src 'self'")
    expect(policy).not.toContain('unsafe')
    const bundle = await app.inject({ url: '/tab/nara.js' })
    if (browserBundle() === undefined) {
      expect(bundle.statusCode).toBe(404)
      expect(bundle.json().error).toContain('npm run build')
    } else {
      expect(bundle.statusCode).toBe(200)
      expect(bundle.headers['content-type']).toContain('text/javascript')
    }
  })
})
