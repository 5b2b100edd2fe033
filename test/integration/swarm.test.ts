import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { Envelope, Identity, createNara, type StandaloneNara, type Service, type StashRecovered } from '../../src/index.js'
import { StashStoreCodec } from '../../src/services/stash/payloads.js'
import { FAST, startSwarm, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('a five-nara swarm on 127.0.0.1', () => {
  let nodes: StandaloneNara[] = []
  const extra: StandaloneNara[] = []

  beforeAll(async () => { nodes = await startSwarm(5, 'swarm') }, 60_000)
  afterAll(async () => { await stopAll([...nodes, ...extra]) })

  it('every nara sees the four others, with names and PeerIDs', () => {
    for (const node of nodes) {
      const peers = node.runtime.onlinePeers()
      expect(peers.map(p => p.name).sort()).toEqual(nodes.filter(n => n !== node).map(n => n.identity.name).sort())
      for (const peer of peers) {
        const other = nodes.find(n => n.identity.id === peer.id)!
        expect(node.peerIdOf(peer.id)).toBe(other.peerId())
      }
    }
  })

  it('replies travel back on the request stream: the owner serves no ack protocol and still gets three acks', async () => {
    const owner = nodes[0]
    // Reach into this test node's libp2p to remove the ack protocol: an ack that needed
    // a new stream to the owner would now fail, so three acks prove they came back on the store streams.
    await owner.libp2p.unhandle('/nara/stash/ack/1')
    const report = await owner.stash.set(text('{"level":7}'))
    expect(report.confidants).toHaveLength(3)
    const holders = nodes.filter(n => n.stash.stored.has(owner.identity.id))
    expect(holders).toHaveLength(3)
  })

  it('a fresh nara with the same soul recovers the stash from its boot-time broadcast, once, with the count', async () => {
    const owner = nodes[0]
    const soul = owner.identity.soulString()
    const name = owner.identity.name
    await owner.stop()
    nodes = nodes.slice(1)
    await waitFor(() => nodes.every(n => n.runtime.onlinePeers().length === 3), 'the others to see the owner leave', 10_000)

    const recovered: StashRecovered[] = []
    const listener: Service = { name: 'listener', init: (rt) => { rt.on('stash:recovered', (m) => { recovered.push(m.payload as StashRecovered) }) } }
    const reborn = await createNara({ name, soul, machineId: 'another-machine', bootstrap: nodes[0].multiaddrs(), services: [listener], ...FAST })
    extra.push(reborn)
    expect(reborn.identity.id).toBe(owner.identity.id)

    const result = await reborn.stash.recovered()
    expect(result.count).toBe(3)
    expect(new TextDecoder().decode(reborn.stash.get())).toBe('{"level":7}')
    // exactly this one so far; that no later one follows (past the recovery deadline) is shown in test/unit/stash/owner.test.ts on a fake clock
    expect(recovered).toEqual([result])
  })

  it('drops a message from a peer claiming another NaraID, even one genuinely signed by that nara', async () => {
    const victim = nodes[0]
    const alice = Identity.create({ name: 'alice', machineId: 'integration' })
    // Mallory holds a store request really signed by alice (a replay) and sends it from her own connection.
    const sealed = alice.seal(text('x'))
    const payload = StashStoreCodec.encode({ ownerId: alice.id, version: 1, nonce: sealed.nonce, ciphertext: sealed.ciphertext })
    const unsigned: Envelope = {
      id: 'replayed-1', kind: 'stash:store', version: 1, fromId: alice.id, fromName: alice.name, toId: victim.identity.id,
      timestamp: Date.now(), inReplyTo: '', payload: payload as Uint8Array<ArrayBuffer>, signature: new Uint8Array(0)
    }
    const signature = await alice.sign(Envelope.encode(unsigned))
    const envelope = Envelope.encode({ ...unsigned, signature: signature as Uint8Array<ArrayBuffer> })

    const mallory = await plainPeer()
    try {
      const before = victim.runtime.drops.get('impersonation')
      const stream = await mallory.dialProtocol(multiaddr(victim.multiaddrs()[0]), '/nara/stash/store/1')
      const lp = lpStream(stream)
      await lp.write(envelope)
      await waitFor(() => victim.runtime.drops.get('impersonation') > before, 'the impersonation drop')
      expect(victim.stash.stored.has(alice.id)).toBe(false)
      await stream.close().catch(() => {})
    } finally {
      await mallory.stop()
    }
  })
})

async function plainPeer (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  })
}
