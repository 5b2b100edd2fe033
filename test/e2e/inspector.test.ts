import { afterAll, describe, expect, it } from 'vitest'
import { mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { Envelope } from '../../src/index.js'
import { exited, killAll, startNara, type RunningNara } from '../helpers/processes.js'
import { launchChromium } from '../helpers/browser.js'
import { inspectorDir } from '../../src/api/inspector-assets.js'
import type { InspectorSnapshot } from '../../src/api/inspector-state.js'
import { sseFrame } from '../../src/api/live-feed.js'
import type { Traffic } from '../../src/index.js'

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
const WAIT_MS = 30_000
/** Markup a peer puts where the page shows peer data; rendered as text it stays harmless. */
const INJECTED = '<img src=x onerror=window.__pwned=1>'

const nodes: RunningNara[] = []
let browser: Browser | undefined
let mallory: Libp2p | undefined

afterAll(async () => {
  await browser?.close()
  await mallory?.stop()
  for (const n of nodes) n.child.kill('SIGTERM')
  await Promise.all(nodes.map(async n => await exited(n.child).catch(() => {})))
  killAll()
})

/** A plain libp2p peer sends an envelope whose kind and sender name are markup (dropped, but shown in the feed). */
async function sendMarkupEnvelope (to: RunningNara): Promise<void> {
  mallory = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  const envelope: Envelope = {
    id: 'markup-1', kind: INJECTED, version: 1, fromId: 'mallory-id', fromName: INJECTED, toId: to.info.id,
    timestamp: Date.now(), inReplyTo: '', payload: new Uint8Array(4), signature: new Uint8Array(64).fill(7)
  }
  const stream = await mallory.dialProtocol(multiaddr(to.info.multiaddrs[0]), '/nara/stash/store/1')
  await lpStream(stream).write(Envelope.encode(envelope))
  await stream.close().catch(() => {})
}

const peerRow = (page: Page, name: string): ReturnType<Page['locator']> => page.locator(`#peers tr[data-peer="${name}"]`)
const graphPeer = (page: Page, name: string): ReturnType<Page['locator']> => page.locator(`#graph [data-peer="${name}"]`)

/** How many messages the rate chart counts in `direction`, once it counts some. */
async function chartedMessages (page: Page, direction: 'in' | 'out'): Promise<number> {
  const series = page.locator(`#rates polyline[data-series="${direction}"]`)
  await page.waitForFunction((d) => Number(document.querySelector(`#rates polyline[data-series="${d}"]`)?.getAttribute('data-total')) > 0, direction, { timeout: WAIT_MS })
  expect(await series.getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)*$/)
  return Number(await series.getAttribute('data-total'))
}

describe('the web inspector, in Chromium, of real nara processes', () => {
  it('shows identity and peers live, sets a stash from the page, shows a later peer without a reload, and renders peer data as text', async () => {
    const owner = await startNara(['--name', 'insp-owner'])
    nodes.push(owner)
    nodes.push(await startNara(['--name', 'insp-bea', '--bootstrap', owner.info.multiaddrs[0]]))
    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1360, height: 1400 } })
    const problems: string[] = []
    page.on('pageerror', err => { problems.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error') problems.push(msg.text()) })
    page.on('response', res => { if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`) })
    let loads = 0
    page.on('load', () => { loads++ })

    await page.goto(`${owner.info.api}/`)
    // identity and addresses
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: WAIT_MS })
    await page.locator('#name', { hasText: 'insp-owner' }).waitFor({ timeout: WAIT_MS })
    expect(await page.textContent('#nara-id')).toBe(owner.info.id)
    expect(await page.textContent('#peer-id')).toBe(owner.info.peerId)
    expect(await page.locator('#addresses li').allTextContents()).toEqual(owner.info.multiaddrs)
    // the first peer
    await peerRow(page, 'insp-bea').waitFor({ timeout: WAIT_MS })
    expect(await peerRow(page, 'insp-bea').textContent()).toMatch(/\d+ s ago/)
    // the swarm graph: this nara in the centre, the peer by name, linked directly (loopback needs no relay;
    // a horizontal line has no height, so Playwright calls it hidden: attached is what counts)
    expect(await page.textContent('#graph [data-self="insp-owner"]')).toContain('insp-owner')
    await graphPeer(page, 'insp-bea').waitFor({ timeout: WAIT_MS })
    expect(await graphPeer(page, 'insp-bea').locator('text').textContent()).toBe('insp-bea')
    await page.locator('#graph [data-edge="insp-bea"][data-kind="direct"]').waitFor({ state: 'attached', timeout: WAIT_MS })
    expect(await graphPeer(page, 'insp-bea').getAttribute('data-connection')).toBe('direct')
    expect(await graphPeer(page, 'insp-bea').getAttribute('data-confidant')).toBeNull()

    // a stash set through the page's form, with markup in it
    await page.fill('#stash-input', JSON.stringify({ level: 7, note: INJECTED }))
    await page.click('#stash-save')
    await page.locator('#stash-result', { hasText: 'stored version' }).waitFor({ timeout: WAIT_MS })
    await page.locator('#confidants li', { hasText: 'insp-bea' }).waitFor({ timeout: WAIT_MS })
    expect(await page.textContent('#stash-data')).toContain(INJECTED)
    await page.locator('#feed tr', { hasText: 'stash:store' }).first().waitFor({ timeout: WAIT_MS })
    await page.locator('#graph [data-peer="insp-bea"][data-confidant="true"] .confidant-ring').waitFor({ timeout: WAIT_MS })
    // the chart counts the messages in and out the feed showed
    expect(await chartedMessages(page, 'in')).toBeGreaterThanOrEqual(1)
    expect(await chartedMessages(page, 'out')).toBeGreaterThanOrEqual(1)

    // a peer that joins later appears on the open page
    const marker = await page.evaluate(() => { (globalThis as any).__sameDocument = true; return true })
    nodes.push(await startNara(['--name', 'insp-cleo', '--bootstrap', owner.info.multiaddrs[0]]))
    await peerRow(page, 'insp-cleo').waitFor({ timeout: WAIT_MS })
    expect(marker && await page.evaluate(() => (globalThis as any).__sameDocument === true)).toBe(true)
    expect(loads).toBe(1)

    // storing again now picks both peers as confidants
    await page.fill('#stash-input', '{"level": 8}')
    await page.click('#stash-save')
    await page.locator('#stash-result', { hasText: 'insp-cleo' }).waitFor({ timeout: WAIT_MS })
    await page.locator('#confidants li', { hasText: 'insp-cleo' }).waitFor({ timeout: WAIT_MS })
    expect((await page.locator('#confidants li').allTextContents()).sort()).toEqual(['insp-bea', 'insp-cleo'])
    await page.locator('#graph [data-peer="insp-cleo"][data-confidant="true"]').waitFor({ timeout: WAIT_MS })
    expect(await page.locator('#graph [data-confidant="true"]').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-peer')).sort())).toEqual(['insp-bea', 'insp-cleo'])
    await page.locator('#graph [data-edge="insp-cleo"][data-kind="direct"]').waitFor({ state: 'attached', timeout: WAIT_MS })

    // markup from a peer is shown as text: a dropped envelope's kind and claimed name
    await sendMarkupEnvelope(owner)
    await page.locator('#feed tr', { hasText: 'wrong-route' }).waitFor({ timeout: WAIT_MS })
    expect(await page.locator('#feed tr', { hasText: 'wrong-route' }).first().textContent()).toContain(INJECTED)
    await page.locator('#drops tr', { hasText: 'wrong-route' }).waitFor({ timeout: WAIT_MS })
    expect(await page.locator('img').count()).toBe(0)
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined()

    // the page of a confidant shows what it holds for the owner, by name, without ciphertext
    const bea = nodes[1]
    const beaPage = await browser.newPage()
    await beaPage.goto(`${bea.info.api}/`)
    await beaPage.locator('#held tr', { hasText: 'insp-owner' }).waitFor({ timeout: WAIT_MS })
    await beaPage.close()

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: `${ARTIFACTS}inspector.png` })
    expect(problems).toEqual([])

    // the owner restarts on the same API port: the open page reconnects by itself
    owner.child.kill('SIGTERM')
    await exited(owner.child)
    await page.locator('#connection', { hasText: 'reconnecting' }).waitFor({ timeout: WAIT_MS })
    nodes.push(await startNara(['--name', 'insp-owner', '--api-port', String(owner.info.apiPort), '--bootstrap', nodes[1].info.multiaddrs[0]]))
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: WAIT_MS })
    await peerRow(page, 'insp-bea').waitFor({ timeout: WAIT_MS })
    expect(loads).toBe(1)
  }, 120_000)

  it('draws what loopback cannot show: a relayed link dashed with its relay named, no line to a peer not connected, names with markup as text', async () => {
    browser ??= await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
    const problems: string[] = []
    page.on('pageerror', err => { problems.push(err.message) })
    const now = Date.now()
    const snapshot = pictureSnapshot(now)
    const traffic: Traffic[] = [
      { direction: 'in', kind: 'presence:howdy', at: now - 2_000, outcome: 'accepted' },
      { direction: 'in', kind: 'presence:howdy', at: now - 2_000, outcome: 'accepted' },
      { direction: 'in', kind: INJECTED, at: now - 1_000, outcome: 'wrong-route' },
      { direction: 'out', kind: 'presence:hey-there', at: now - 1_000, outcome: 'accepted' },
      { direction: 'out', kind: 'stash:store', at: now, outcome: 'accepted' }
    ]
    // the page's own files, and an event stream that says this once (no reconnect: retry is long)
    await page.route('http://inspector.test/**', async route => {
      const { pathname } = new URL(route.request().url())
      if (pathname === '/inspector/events') {
        const events = [...traffic.map(t => sseFrame('traffic', t)), sseFrame('snapshot', snapshot)].join('')
        await route.fulfill({ status: 200, contentType: 'text/event-stream', body: `retry: 3600000\n\n${events}` })
        return
      }
      const file = pathname === '/' ? 'index.html' : pathname.replace('/inspector/', '')
      await route.fulfill({ status: 200, contentType: CONTENT_TYPES[file.slice(file.lastIndexOf('.'))], body: readFileSync(`${inspectorDir()}${file}`) })
    })
    await page.goto('http://inspector.test/')
    await graphPeer(page, 'dora').waitFor({ timeout: WAIT_MS })

    const edge = (name: string): ReturnType<Page['locator']> => page.locator(`#graph line[data-edge="${name}"]`)
    expect(await edge('bea').getAttribute('data-kind')).toBe('direct')
    expect(await edge('cleo').getAttribute('data-kind')).toBe('relayed')
    expect(await edge('bea').evaluate(line => getComputedStyle(line).strokeDasharray)).toBe('none')
    expect(await edge('cleo').evaluate(line => getComputedStyle(line).strokeDasharray)).not.toBe('none')
    expect(await page.textContent('#graph [data-relay-of="cleo"]')).toBe('via bea')
    expect(await edge('dora').count()).toBe(0)
    expect(await graphPeer(page, 'dora').getAttribute('data-connection')).toBe('none')
    expect(await page.locator('#graph [data-confidant="true"]').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-peer')))).toEqual(['bea'])
    expect(await page.locator('#graph [data-holds-theirs="true"]').evaluateAll(nodes => nodes.map(n => n.getAttribute('data-peer')))).toEqual(['dora'])

    // a name and a relay's name made of markup are text, cut to fit
    const hostile = graphPeer(page, INJECTED)
    expect(await hostile.locator('text').textContent()).toBe('<img src=x onerro…')
    expect(await page.textContent(`#graph [data-relay-of="${INJECTED}"]`)).toBe('via <img src=x on…')
    expect(await page.locator('img').count()).toBe(0)
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined()

    // the chart counts each message once, by direction
    expect(await chartedMessages(page, 'in')).toBe(3)
    expect(await chartedMessages(page, 'out')).toBe(2)
    expect(await page.textContent('#rates-in')).toBe('3 (peak 2/s)')

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.locator('main > section').first().screenshot({ path: `${ARTIFACTS}inspector-graph.png` })
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)
})

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

/** A nara with a direct peer (a confidant), one through a relay, one known only from gossip (its stash held here) and one named in markup. */
function pictureSnapshot (now: number): InspectorSnapshot {
  const peer = (name: string, link: { connection: 'direct' | 'relayed' | 'none', relay?: string }): InspectorSnapshot['peers'][number] =>
    ({ id: `id-${name}`, name, peerId: null, uptimeMs: 60_000, lastSeen: now, ...link })
  return {
    at: now,
    status: { name: 'owner', id: 'id-owner', peerId: 'peer-owner', multiaddrs: [], uptimeMs: 60_000, memoryMode: 'medium', reachability: 'private', confirmedAddresses: [], relaying: false, reservationsServed: 0, relays: [] },
    peers: [peer('bea', { connection: 'direct' }), peer('cleo', { connection: 'relayed', relay: 'bea' }), peer('dora', { connection: 'none' }), peer(INJECTED, { connection: 'relayed', relay: INJECTED })],
    stash: { version: 1, confidants: [{ id: 'id-bea', name: 'bea' }], lastStoredAt: now, text: '{}' },
    held: [{ ownerId: 'id-dora', ownerName: 'dora', bytes: 100, version: 1, storedAt: now }],
    stats: { received: 3, emitted: 2, traffic: { gossipIn: 0, gossipOut: 0, streamIn: 0, streamOut: 0 }, drops: {}, pendingCalls: 0, admissionPeaks: { messages: 0, newIdentities: 0 } }
  }
}
