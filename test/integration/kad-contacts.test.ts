import { afterEach, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { naraLibp2pOptions, type NaraServices } from '../../src/transport/index.js'
import { waitFor } from '../helpers/wait.js'
import type { PeerInfo } from '@libp2p/interface'

/** The routing-table entry point that kad-dht calls for connected peers and for peers named in query answers. */
interface ContactHook { onPeerConnect(peer: PeerInfo): Promise<void> }
interface RoutingTableSize { routingTable: { size: number } }

const nodes: Array<Libp2p<NaraServices>> = []
afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => { await n.stop() })) })

async function node (): Promise<Libp2p<NaraServices>> {
  const n = await createLibp2p(naraLibp2pOptions({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] }))
  nodes.push(n)
  return n
}

const info = (n: Libp2p): PeerInfo => ({ id: n.peerId, multiaddrs: n.getMultiaddrs() })
const tableSize = (n: Libp2p<NaraServices>): number => (n.services.dht as unknown as RoutingTableSize).routingTable.size

describe('Kad-DHT contacts (real libp2p nodes on 127.0.0.1)', () => {
  it('does not dial a peer that a query answer merely names, and still takes in the peers it is connected to', async () => {
    const [self, neighbour, named] = await Promise.all([node(), node(), node()])
    await self.dial(neighbour.getMultiaddrs()[0])
    await waitFor(() => tableSize(self) === 1, 'the connected neighbour joins the routing table')

    // what kad-dht does with every peer in a "closer peers" or "providers" answer: its
    // addresses go to the peer store (peer discovery), and the peer is offered as a contact
    await self.peerStore.merge(named.peerId, { multiaddrs: named.getMultiaddrs() })
    await (self.services.dht as unknown as ContactHook).onPeerConnect(info(named))
    // without the fix the ping dials within tens of milliseconds; allow it far longer
    const dialled = await waitFor(() => self.getConnections(named.peerId).length > 0, 'a dial to the named peer', 2_000).then(() => true, () => false)
    expect(dialled).toBe(false)
    expect(tableSize(self)).toBe(1)
  })
})
