import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Reconnector } from '../../../src/transport/reconnector.js'
import type { Logger, PeerId } from '@libp2p/interface'

const quiet: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => quiet })
const peerId = async (): Promise<PeerId> => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))

const running: Reconnector[] = []
afterEach(() => { for (const r of running.splice(0)) r.stop() })

/** A reconnector on a hand-moved clock, whose dials succeed only for peers marked reachable. */
function fixture (options: { capacity?: number } = {}): { reconnector: Reconnector, dials: string[], reachable: Set<string>, advance: (ms: number) => Promise<void> } {
  let now = 0
  const dials: string[] = []
  const reachable = new Set<string>()
  const reconnector = new Reconnector({
    connect: async (peer) => {
      dials.push(peer.toString())
      if (!reachable.has(peer.toString())) throw new Error('connection refused')
    },
    firstRetryMs: 5_000,
    maxRetryMs: 60_000,
    giveUpAfterMs: 15 * 60_000,
    intervalMs: 3_600_000, // the test drives retryDue itself
    now: () => now,
    log: quiet,
    ...options
  })
  reconnector.start()
  running.push(reconnector)
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 1_000) {
      now += 1_000
      await reconnector.retryDue()
    }
  }
  return { reconnector, dials, reachable, advance }
}

describe('Reconnector', () => {
  it('tries a lost peer again with doubling waits, capped, until it is reachable', async () => {
    const { reconnector, dials, reachable, advance } = fixture()
    const peer = await peerId()
    reconnector.peerLost(peer)
    await advance(4_000)
    expect(dials).toHaveLength(0)
    await advance(1_000) // 5 s: first try
    expect(dials).toHaveLength(1)
    await advance(10_000) // 15 s: second try (waited 10 s)
    expect(dials).toHaveLength(2)
    await advance(20_000) // 35 s: third (20 s)
    expect(dials).toHaveLength(3)
    await advance(40_000 + 60_000 + 60_000) // 75 s, then the wait stays at 60 s: 135 s, 195 s
    expect(dials).toHaveLength(6)
    reachable.add(peer.toString())
    await advance(60_000)
    expect(dials).toHaveLength(7)
  })

  it('stops trying a peer that is found again', async () => {
    const { reconnector, dials, advance } = fixture()
    const peer = await peerId()
    reconnector.peerLost(peer)
    await advance(5_000)
    expect(dials).toHaveLength(1)
    reconnector.peerFound(peer)
    await advance(120_000)
    expect(dials).toHaveLength(1)
    expect(reconnector.size).toBe(0)
  })

  it('gives a peer up after 15 minutes, and bounds how many it remembers', async () => {
    const { reconnector, dials, advance } = fixture({ capacity: 2 })
    const [a, b, c] = await Promise.all([peerId(), peerId(), peerId()])
    reconnector.peerLost(a)
    reconnector.peerLost(b)
    reconnector.peerLost(c) // a, the longest lost, is forgotten
    expect(reconnector.size).toBe(2)
    await advance(5_000)
    expect(dials.sort()).toEqual([b.toString(), c.toString()].sort())
    await advance(15 * 60_000)
    expect(reconnector.size).toBe(0)
    const tries = dials.length
    await advance(120_000)
    expect(dials).toHaveLength(tries)
  })
})
