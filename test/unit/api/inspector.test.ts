import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pathToFileURL, fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildApi, startApi, type ApiServer } from '../../../src/api/index.js'
import { LiveFeed, sseFrame, type EventSink } from '../../../src/api/live-feed.js'
import { inspectorDir } from '../../../src/api/inspector-assets.js'
import type { InspectorSnapshot } from '../../../src/api/inspector-state.js'
import type { Traffic, TrafficListener } from '../../../src/index.js'
import { readEvents } from '../../helpers/sse.js'
import { fakeSwarm, type FakeNode } from './fake-node.js'

const INSPECTOR_DIR = fileURLToPath(new URL('../../../inspector/', import.meta.url))

describe('the inspector page and its event stream', () => {
  let swarm: FakeNode[] = []
  let app: FastifyInstance
  let api: ApiServer

  beforeAll(async () => {
    swarm = await fakeSwarm(4, 'insp')
    app = buildApi(swarm[0])
    await app.ready()
    api = await startApi(swarm[0])
  })
  afterAll(async () => {
    await app.close()
    await api.close()
    for (const node of swarm) await node.stop()
  })

  it('GET / is the page, with its script and stylesheet from this server and a policy that allows nothing else', async () => {
    const page = await app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('<script type="module" src="/inspector/inspector.js">')
    expect(page.body).not.toMatch(/https?:\/\//)
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    const script = await app.inject({ method: 'GET', url: '/inspector/inspector.js' })
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-type']).toContain('javascript')
    expect(script.body).not.toContain('innerHTML')
    expect((await app.inject({ method: 'GET', url: '/inspector/inspector.css' })).headers['content-type']).toContain('text/css')
  })

  it('serves the modules that draw the swarm and the rates, none of which writes markup', async () => {
    for (const file of ['svg.js', 'swarm-layout.js', 'swarm-graph.js', 'rate-window.js', 'rate-chart.js']) {
      const res = await app.inject({ method: 'GET', url: `/inspector/${file}` })
      expect(res.statusCode, file).toBe(200)
      expect(res.headers['content-type'], file).toContain('javascript')
      expect(res.body, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/)
    }
  })

  it('answers only requests addressed to a loopback name, like the rest of the API', async () => {
    for (const url of ['/', '/inspector/inspector.js', '/inspector/events']) {
      const res = await app.inject({ method: 'GET', url, headers: { host: 'evil.example:7420' } })
      expect(res.statusCode, url).toBe(421)
    }
  })

  it('pushes a snapshot at once, then the messages in and out and the stashes held for others', async () => {
    const events = await readEvents(`${api.url}/inspector/events`)
    try {
      const first = (await events.next(e => e.event === 'snapshot', 'the first snapshot')).data as InspectorSnapshot
      expect(first.status).toMatchObject({ name: 'insp-0', id: swarm[0].identity.id, peerId: '12D3KooW-fake-insp-0' })
      expect(first.peers.map(p => p.name).sort()).toEqual(['insp-1', 'insp-2', 'insp-3'])
      expect(first.stash).toBeNull()
      expect(first.held).toEqual([])

      await swarm[1].stash.set(new TextEncoder().encode('{"mine":1}'))
      const store = (await events.next(e => e.event === 'traffic' && e.data.kind === 'stash:store', 'the inbound store')).data as Traffic
      expect(store).toMatchObject({ direction: 'in', peer: { id: swarm[1].identity.id, name: 'insp-1' }, outcome: 'accepted' })
      const ack = (await events.next(e => e.event === 'traffic' && e.data.kind === 'stash:ack', 'the outbound ack')).data as Traffic
      expect(ack).toMatchObject({ direction: 'out', peer: { name: 'insp-1' }, outcome: 'accepted' })

      const held = (await events.next(e => e.event === 'snapshot' && e.data.held.length === 1, 'a snapshot with the held stash')).data as InspectorSnapshot
      expect(held.held[0]).toEqual({ ownerId: swarm[1].identity.id, ownerName: 'insp-1', bytes: expect.any(Number), version: expect.any(Number), storedAt: expect.any(Number) })
      expect(JSON.stringify(held)).not.toMatch(/ciphertext|nonce/)
    } finally {
      events.close()
    }
  })

  it('shows this nara\'s own stash once it is set through PUT /stash', async () => {
    const events = await readEvents(`${api.url}/inspector/events`)
    try {
      const before = Date.now()
      const res = await fetch(`${api.url}/stash`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"level":7}' })
      expect(res.status).toBe(200)
      const { data } = await events.next(e => e.event === 'snapshot' && e.data.stash !== null, 'a snapshot with the stash')
      const stash = (data as InspectorSnapshot).stash!
      expect(JSON.parse(stash.text)).toEqual({ level: 7 })
      expect(stash.confidants).toHaveLength(3)
      expect(stash.lastStoredAt).toBeGreaterThanOrEqual(before)
    } finally {
      events.close()
    }
  })

  it('closing the API ends the open event streams instead of waiting on them', async () => {
    const own = await startApi(swarm[2])
    const res = await fetch(`${own.url}/inspector/events`)
    const body = res.body!.getReader()
    const first = await body.read()
    expect(new TextDecoder().decode(first.value)).toContain('event: snapshot')
    // the server ends the response (a clean end of the body, not an error), so close does not wait on the page
    const [closed, end] = await Promise.all([own.close(), readToEnd(body)])
    expect(closed).toBeUndefined()
    expect(end).toEqual({ done: true })
  })
})

/** Reads a response body until the server ends it; what ended it. */
async function readToEnd (body: ReadableStreamDefaultReader<Uint8Array>): Promise<{ done: true } | { error: string }> {
  try {
    while (!(await body.read()).done);
    return { done: true }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

/** A sink whose unflushed byte count the test sets, as a stalled socket would grow it. */
function stalledSink (): EventSink & { chunks: string[], writableLength: number, ended: boolean } {
  return {
    chunks: [],
    writableLength: 0,
    ended: false,
    write (chunk: string) { this.chunks.push(chunk); return true },
    end () { this.ended = true }
  }
}

describe('LiveFeed', () => {
  const traffic = (kind: string): Traffic => ({ direction: 'in', kind, bytes: 10, at: 0, outcome: 'accepted' })

  function source (): { observe: (l: TrafficListener) => () => void, snapshot: () => unknown, listeners: Set<TrafficListener>, emit: (t: Traffic) => void } {
    const listeners = new Set<TrafficListener>()
    return {
      listeners,
      observe: (l) => { listeners.add(l); return () => { listeners.delete(l) } },
      snapshot: () => ({ state: 'now' }),
      emit: (t) => { for (const l of listeners) l(t) }
    }
  }

  it('observes the node only while a page is attached', () => {
    const src = source()
    const feed = new LiveFeed(src)
    expect(src.listeners.size).toBe(0)
    const a = feed.attach(stalledSink())
    const b = feed.attach(stalledSink())
    expect(src.listeners.size).toBe(1)
    a.detach()
    expect(src.listeners.size).toBe(1)
    b.detach()
    b.detach()
    expect(src.listeners.size).toBe(0)
    expect(feed.size).toBe(0)
  })

  it('a page that does not keep up skips events (counted, then reported) instead of buffering them; others get everything', () => {
    const src = source()
    const feed = new LiveFeed(src, { maxBufferedBytes: 1_000 })
    const slow = stalledSink()
    const fast = stalledSink()
    const { stream } = feed.attach(slow)
    feed.attach(fast)
    slow.writableLength = 990 // the socket stopped draining
    for (let i = 0; i < 50; i++) src.emit(traffic(`k:${i}`))
    expect(stream.skipped).toBe(50)
    expect(slow.chunks).toHaveLength(1) // the first snapshot only
    expect(fast.chunks).toHaveLength(51)

    slow.writableLength = 0 // drained
    src.emit(traffic('k:after'))
    expect(slow.chunks.slice(1)).toEqual([sseFrame('skipped', { total: 50 }), sseFrame('traffic', traffic('k:after'))])
    feed.close()
    expect(slow.ended && fast.ended).toBe(true)
    expect(src.listeners.size).toBe(0)
  })

  it('an event bigger than the bound still goes out when nothing is queued', () => {
    const src = source()
    const feed = new LiveFeed(src, { maxBufferedBytes: 10 })
    const sink = stalledSink()
    feed.attach(sink)
    src.emit(traffic('a-long-kind-name'))
    expect(sink.chunks).toHaveLength(2)
    feed.close()
  })
})

describe('the inspector\'s files', () => {
  it('are found from the sources and from the tsc output (the bundle is covered by the browser test)', async () => {
    expect(inspectorDir()).toBe(INSPECTOR_DIR)
    const built = new URL('../../../dist/src/api/inspector-assets.js', import.meta.url)
    expect(existsSync(built), 'run npm run build first').toBe(true)
    const { inspectorDir: builtDir } = await import(pathToFileURL(fileURLToPath(built)).href) as { inspectorDir: () => string }
    expect(builtDir()).toBe(INSPECTOR_DIR)
  })

  it('a missing folder is a clear error', () => {
    expect(() => inspectorDir('file:///nowhere/dist/nara.mjs')).toThrow(/inspector\/index\.html.*missing.*reinstall nara/)
  })
})
