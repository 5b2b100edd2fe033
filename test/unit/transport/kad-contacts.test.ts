import { describe, expect, it, vi } from 'vitest'
import { contactsOnceMet } from '../../../src/transport/kad-contacts.js'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import type { PeerId, PeerInfo } from '@libp2p/interface'

/** Components whose connection manager reports `connected` peers (by string id) as connected. */
function componentsWith (connected: string[]): KadDHTComponents {
  return { connectionManager: { getConnections: (peer: PeerId) => connected.includes(peer.toString()) ? [{}] : [] } } as unknown as KadDHTComponents
}

const peer = (id: string): PeerInfo => ({ id: { toString: () => id } as unknown as PeerId, multiaddrs: [] })

describe('contactsOnceMet', () => {
  it('passes on only the contacts this node is connected to', async () => {
    const offered: string[] = []
    const dht = { onPeerConnect: async (p: PeerInfo) => { offered.push(p.id.toString()) } }
    const patched = contactsOnceMet(() => dht as unknown as KadDHT)(componentsWith(['met'])) as unknown as typeof dht
    await patched.onPeerConnect(peer('named'))
    await patched.onPeerConnect(peer('met'))
    expect(offered).toEqual(['met'])
  })

  it('returns a kad-dht without the hook unpatched, and warns once', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      const hookless = { start: () => {} }
      const factory = contactsOnceMet(() => hookless as unknown as KadDHT)
      expect(factory(componentsWith([]))).toBe(hookless)
      expect(factory(componentsWith([]))).toBe(hookless)
      expect(Object.keys(hookless)).toEqual(['start'])
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^contactsOnceMet is off, this @libp2p\/kad-dht has no onPeerConnect to hook/), { code: 'NARA_PATCH_OFF' })
    } finally {
      warn.mockRestore()
    }
  })
})
