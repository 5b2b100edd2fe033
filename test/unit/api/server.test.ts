import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { MemoryNetwork, MAX_PLAINTEXT_BYTES } from '../../../src/index.js'
import { buildApi, startApi, ApiPortInUseError, ApiHostError, API_BODY_LIMIT } from '../../../src/api/index.js'
import type { BehaviorBody, HeldBody, PeersBody, StashBody, StashSetBody, StatusBody } from '../../../src/api/index.js'
import { fakeNode, fakeSwarm, type FakeNode } from './fake-node.js'

const nodes: FakeNode[] = []
const apps: FastifyInstance[] = []

async function api (node: FakeNode): Promise<FastifyInstance> {
  const app = buildApi(node)
  apps.push(app)
  await app.ready()
  return app
}

function errorOf (body: string): string {
  const parsed = JSON.parse(body) as { error: unknown }
  expect(typeof parsed.error).toBe('string')
  expect(parsed.error).not.toContain('\n')
  return parsed.error as string
}

afterAll(async () => {
  for (const app of apps) await app.close()
  for (const node of nodes) await node.stop()
})

describe('the HTTP API of a nara in a swarm of four', () => {
  let swarm: FakeNode[] = []
  let app: FastifyInstance

  beforeAll(async () => {
    swarm = await fakeSwarm(4, 'api')
    nodes.push(...swarm)
    app = await api(swarm[0])
  })

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const res = await app.inject({ method: 'GET', url: '/stash', headers: { host: 'evil.example:7420' } })
    expect(res.statusCode).toBe(421)
    expect(res.json<{ error: string }>().error).toMatch(/127\.0\.0\.1, localhost or \[::1\]/)
    for (const host of ['127.0.0.1:7420', 'localhost', '[::1]:7420']) {
      expect((await app.inject({ method: 'GET', url: '/status', headers: { host } })).statusCode, host).toBe(200)
    }
  })

  it('GET /status shows who this nara is', async () => {
    const res = await app.inject({ method: 'GET', url: '/status' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('application/json')
    const body = res.json<StatusBody>()
    expect(body).toEqual({
      name: 'api-0',
      id: swarm[0].identity.id,
      peerId: '12D3KooW-fake-api-0',
      multiaddrs: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW-fake-api-0'],
      uptimeMs: expect.any(Number),
      memoryMode: 'medium',
      reachability: 'unknown',
      confirmedAddresses: [],
      relaying: false,
      reservationsServed: 0,
      relays: []
    })
    expect(body.uptimeMs).toBeGreaterThanOrEqual(1_500)
  })

  it('GET /peers lists the three others with their PeerIDs and how each is reached', async () => {
    const body = (await app.inject({ method: 'GET', url: '/peers' })).json<PeersBody>()
    expect(body.peers.map(p => p.name).sort()).toEqual(['api-1', 'api-2', 'api-3'])
    for (const p of body.peers) {
      expect(p.peerId).toBe(`peer-of-${p.id}`)
      expect(p).toEqual({ id: expect.any(String), name: expect.any(String), peerId: expect.any(String), uptimeMs: expect.any(Number), lastSeen: expect.any(Number), connection: 'direct' })
    }
  })

  it('GET /stash is a 404 with a hint before anything was stored', async () => {
    const res = await app.inject({ method: 'GET', url: '/stash' })
    expect(res.statusCode).toBe(404)
    expect(errorOf(res.body)).toBe('this nara has no stash yet; PUT /stash to create one')
  })

  it('PUT /stash stores the JSON with three confidants; GET /stash reads it back', async () => {
    const state = { level: 7, items: ['sword', 'map'], nested: { ok: true } }
    const put = await app.inject({ method: 'PUT', url: '/stash', payload: state })
    expect(put.statusCode).toBe(200)
    const report = put.json<StashSetBody>()
    expect(report.confidants).toHaveLength(3)
    expect(report.failures).toEqual([])
    expect(report.version).toBeGreaterThan(0)

    const get = await app.inject({ method: 'GET', url: '/stash' })
    expect(get.statusCode).toBe(200)
    const body = get.json<StashBody>()
    expect(body.data).toEqual(state)
    expect(body.version).toBe(report.version)
    expect(body.confidants.map(c => c.id).sort()).toEqual(report.confidants.map(c => c.id).sort())
    expect(body).not.toHaveProperty('format')
  })

  it('accepts any JSON value whatever the content type (curl -d sends form-urlencoded)', async () => {
    const put = await app.inject({ method: 'PUT', url: '/stash', payload: '42', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(put.statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/stash' })).json<StashBody>().data).toBe(42)
    const nul = await app.inject({ method: 'PUT', url: '/stash', payload: 'null', headers: { 'content-type': 'application/json' } })
    expect(nul.statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/stash' })).json<StashBody>().data).toBeNull()
  })

  it('GET /stash/held on a confidant lists what it keeps, never the ciphertext', async () => {
    const owner = swarm[0].identity.id
    const confidant = swarm.slice(1).find(n => n.stash.stored.has(owner))!
    const res = await (await api(confidant)).inject({ method: 'GET', url: '/stash/held' })
    const body = res.json<{ held: HeldBody[] }>()
    expect(body.held).toEqual([{ ownerId: owner, ownerName: swarm[0].identity.name, bytes: expect.any(Number), version: swarm[0].stash.currentVersion(), storedAt: expect.any(Number) }])
    expect(body.held[0].bytes).toBe(confidant.stash.stored.get(owner)!.ciphertext.byteLength)
    expect(res.body).not.toContain('ciphertext')
    expect(res.body).not.toContain('nonce')
  })

  it('GET /behaviors shows every kind with its protocol ids, topic or null', async () => {
    const { behaviors } = (await app.inject({ method: 'GET', url: '/behaviors' })).json<{ behaviors: BehaviorBody[] }>()
    const store = behaviors.find(b => b.kind === 'stash:store')!
    expect(store).toMatchObject({ template: 'meshRequest', route: ['/nara/stash/store/1'], versions: [1] })
    expect(typeof store.description).toBe('string')
    const refresh = behaviors.find(b => b.kind === 'stash:refresh')!
    expect(refresh).toMatchObject({ template: 'broadcast', route: '/nara/stash/refresh' })
    const recovered = behaviors.find(b => b.kind === 'stash:recovered')!
    expect(recovered).toMatchObject({ template: 'local', route: null })
    for (const b of behaviors) expect(b.replyKind === null || typeof b.replyKind === 'string').toBe(true)
  })

  it('GET /stats returns the runtime counters as JSON', async () => {
    const body = (await app.inject({ method: 'GET', url: '/stats' })).json<Record<string, unknown>>()
    expect(body).toEqual({ received: expect.any(Number), emitted: expect.any(Number), traffic: expect.any(Object), drops: expect.any(Object), pendingCalls: 0, admissionPeaks: { messages: expect.any(Number), newIdentities: expect.any(Number) } })
    expect(body.emitted).toBeGreaterThan(0)
  })

  it('rejects a body that is not JSON, or none, with a 400 that says what to send', async () => {
    const bad = await app.inject({ method: 'PUT', url: '/stash', payload: '{level: 7', headers: { 'content-type': 'application/json' } })
    expect(bad.statusCode).toBe(400)
    expect(errorOf(bad.body)).toMatch(/^the body is not JSON .*; send one JSON value/)
    const empty = await app.inject({ method: 'PUT', url: '/stash', payload: '', headers: { 'content-type': 'application/json' } })
    expect(empty.statusCode).toBe(400)
    expect(errorOf(empty.body)).toMatch(/body is empty|needs a JSON body/)
    const none = await app.inject({ method: 'PUT', url: '/stash' })
    expect(none.statusCode).toBe(400)
    expect(errorOf(none.body)).toMatch(/needs a JSON body/)
  })

  it('answers 413 when the JSON is too large for a stash, and when the body passes the request limit', async () => {
    const tooBig = { blob: 'x'.repeat(MAX_PLAINTEXT_BYTES) }
    const res = await app.inject({ method: 'PUT', url: '/stash', payload: tooBig })
    expect(res.statusCode).toBe(413)
    expect(errorOf(res.body)).toMatch(/too large: the limit is \d+ bytes; store a smaller JSON value/)
    const huge = await app.inject({ method: 'PUT', url: '/stash', payload: { blob: 'x'.repeat(API_BODY_LIMIT) } })
    expect(huge.statusCode).toBe(413)
    expect(errorOf(huge.body)).toMatch(/larger than 65536 bytes/)
  })

  it('answers an unknown route with a 404 that lists the routes', async () => {
    for (const [method, url] of [['GET', '/nope'], ['DELETE', '/stash'], ['POST', '/status?x=1']] as const) {
      const res = await app.inject({ method, url })
      expect(res.statusCode).toBe(404)
      expect(errorOf(res.body)).toBe(`no route ${method} ${url.split('?')[0]}; try GET /status, /peers, /stash, /stash/held, /behaviors, /stats, /metrics, /tab/ or PUT /stash`)
    }
  })
})

describe('PUT /stash when it cannot be kept', () => {
  it('is a 409 when no peer is online', async () => {
    const alone = await fakeNode('alone')
    nodes.push(alone)
    const res = await (await api(alone)).inject({ method: 'PUT', url: '/stash', payload: { a: 1 } })
    expect(res.statusCode).toBe(409)
    expect(errorOf(res.body)).toMatch(/0 peer\(s\) online, at least 1 needed/)
  })

  it('is a 502 when no confidant acknowledges, and the old stash stays', async () => {
    const network = new MemoryNetwork()
    const owner = await fakeNode('owner', network)
    const mute = await fakeNode('mute', network, { withStash: false })
    nodes.push(owner, mute)
    const res = await (await api(owner)).inject({ method: 'PUT', url: '/stash', payload: { a: 1 } })
    expect(res.statusCode).toBe(502)
    expect(errorOf(res.body)).toMatch(/^no confidant acknowledged the stash .*; try again when more peers are online$/)
    expect(owner.stash.get()).toBeUndefined()
  })
})

describe('GET /stash of bytes that are not JSON (set through the embedding API)', () => {
  it('shows them as text', async () => {
    const [owner] = await fakeSwarm(2, 'text')
    nodes.push(owner)
    await owner.stash.set(new TextEncoder().encode('plain words'))
    const body = (await (await api(owner)).inject({ method: 'GET', url: '/stash' })).json<StashBody>()
    expect(body).toMatchObject({ data: 'plain words', format: 'text' })
  })
})

describe('startApi', () => {
  it('listens on 127.0.0.1 on an OS-chosen port and answers real HTTP', async () => {
    const node = await fakeNode('http')
    nodes.push(node)
    const server = await startApi(node, { port: 0 })
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      expect(server.port).toBeGreaterThan(0)
      const res = await fetch(`${server.url}/status`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as StatusBody).name).toBe('http')
    } finally {
      await server.close()
    }
    await expect(fetch(`${server.url}/status`)).rejects.toThrow()
  })

  it('refuses a busy port with ApiPortInUseError', async () => {
    const node = await fakeNode('busy')
    nodes.push(node)
    const blocker: Server = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      await expect(startApi(node, { port })).rejects.toThrow(ApiPortInUseError)
      await expect(startApi(node, { port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`)
    } finally {
      blocker.close()
    }
  })

  it('refuses to bind anything but loopback', async () => {
    const node = await fakeNode('public')
    nodes.push(node)
    await expect(startApi(node, { host: '0.0.0.0' })).rejects.toThrow(ApiHostError)
  })
})

describe('the HTTP API while the stash is being recovered', () => {
  it('says "recovering" (503, Retry-After) to GET /stash, not "no stash", and holds a PUT until recovery ends', async () => {
    // alone on its network: nobody answers, so recovery lasts until its deadline
    const node = await fakeNode('reborn', new MemoryNetwork(), { recoveryDeadlineMs: 400 })
    nodes.push(node)
    const app = await api(node)

    const get = await app.inject({ method: 'GET', url: '/stash' })
    expect(get.statusCode).toBe(503)
    expect(get.headers['retry-after']).toBe('1')
    expect(errorOf(get.body)).toContain('recovering')
    // the PUT is answered only after recovery ended (here with nothing: nobody to store with either)
    let recoveredFirst = false
    void node.stash.recovered().then(() => { recoveredFirst = true })
    const put = await app.inject({ method: 'PUT', url: '/stash', payload: { level: 1 } })
    expect(recoveredFirst).toBe(true)
    expect(put.statusCode).toBe(409)
    expect(node.stash.recovering).toBe(false)

    const after = await app.inject({ method: 'GET', url: '/stash' })
    expect(after.statusCode).toBe(404)
    expect(errorOf(after.body)).toContain('no stash yet')
  })
})
