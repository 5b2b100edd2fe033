import { describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lanDiscovery, onLanPeer, type LanDiscoveryComponents } from '../../../src/transport/lan-discovery.js'
import type { PeerDiscovery, PeerId, PeerInfo } from '@libp2p/interface'

async function somePeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('lanDiscovery', () => {
  it('tells the host of each peer its discovery finds, and of nothing else on the bus', async () => {
    const bus = new EventTarget()
    const found: PeerId[] = []
    const off = onLanPeer(bus, (peer) => { found.push(peer) })
    const inner = new EventTarget() as unknown as PeerDiscovery
    const discovery = lanDiscovery(() => inner)({ events: bus } as unknown as LanDiscoveryComponents)
    expect(discovery).toBe(inner)

    const [lan, stored] = await Promise.all([somePeer(), somePeer()])
    // what libp2p dispatches when any peer is first written to the peer store
    bus.dispatchEvent(new CustomEvent('peer:discovery', { detail: { id: stored, multiaddrs: [] } }))
    inner.dispatchEvent(new CustomEvent<PeerInfo>('peer', { detail: { id: lan, multiaddrs: [] } }))
    expect(found.map(String)).toEqual([lan.toString()])

    off()
    inner.dispatchEvent(new CustomEvent<PeerInfo>('peer', { detail: { id: stored, multiaddrs: [] } }))
    expect(found).toHaveLength(1)
  })
})
