import { afterAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
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

describe('the web inspector, in Chromium, of real nara processes', () => {
  it('shows identity and peers live, sets a stash from the page, shows a later peer without a reload, and renders peer data as text', async () => {
    const owner = await startNara(['--name', 'insp-owner'])
    nodes.push(owner)
    nodes.push(await startNara(['--name', 'insp-bea', '--bootstrap', owner.info.multiaddrs[0]]))
    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
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

    // a stash set through the page's form, with markup in it
    await page.fill('#stash-input', JSON.stringify({ level: 7, note: INJECTED }))
    await page.click('#stash-save')
    await page.locator('#stash-result', { hasText: 'stored version' }).waitFor({ timeout: WAIT_MS })
    await page.locator('#confidants li', { hasText: 'insp-bea' }).waitFor({ timeout: WAIT_MS })
    expect(await page.textContent('#stash-data')).toContain(INJECTED)
    await page.locator('#feed tr', { hasText: 'stash:store' }).first().waitFor({ timeout: WAIT_MS })

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
})
