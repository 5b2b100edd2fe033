import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify, type Identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import type { Message as GossipMessage } from '@libp2p/gossipsub'
import { Identity } from '../../src/identity/index.js'
import { NaraRuntime, broadcast, meshRequest, protobufPayload, type Runtime } from '../../src/runtime/index.js'
import { Envelope, signedBytes } from '../../src/runtime/message.js'
import { Libp2pTransport, hostFromLibp2p, naraLibp2pOptions, type NaraServices } from '../../src/transport/index.js'
import { gossipProof, verifyGossipProof } from '../../src/transport/gossip-proof.js'
import { createNara, type StandaloneNara } from '../../src/index.js'
import { Refusal } from '../../protocols/runtime.js'
import { FAST, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'

const Note = protobufPayload('Refusal', Refusal, (p) => p.code === '' ? 'a note needs a code' : undefined)

interface TestNara { identity: Identity, node: Libp2p<NaraServices>, runtime: NaraRuntime }
const running: TestNara[] = []
const plain: Array<Libp2p<{ identify: Identify, pubsub: GossipSub }>> = []
const naras: StandaloneNara[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(async (n) => { await n.runtime.stop(); await n.node.stop() }))
  await Promise.all(plain.splice(0).map(async (n) => { await n.stop() }))
  await stopAll(naras.splice(0))
})

/** A nara runtime over a real libp2p node on 127.0.0.1, keyed by `identity`. */
async function startNara (identity: Identity, setup: (rt: Runtime) => void): Promise<TestNara> {
  const node = await createLibp2p(naraLibp2pOptions({ privateKey: identity.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] }))
  const runtime = new NaraRuntime({ identity, transport: new Libp2pTransport(hostFromLibp2p(node)), env: 'test' })
  setup(runtime)
  await runtime.start()
  const nara = { identity, node, runtime }
  running.push(nara)
  return nara
}

/** A plain libp2p node (no nara runtime) keyed by `identity`, speaking nara's protocols by hand. */
async function plainNode (identity: Identity): Promise<Libp2p<{ identify: Identify, pubsub: GossipSub }>> {
  const node = await createLibp2p({
    privateKey: identity.privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
  })
  plain.push(node)
  return node
}

/** An envelope from `from` (claiming `claim`), with its nara signature when `sign` is set. */
async function envelope (from: Identity, kind: string, toId: string, options: { claim?: Identity, sign?: boolean } = {}): Promise<Uint8Array> {
  const claim = options.claim ?? from
  const e: Envelope = {
    id: `m-${Math.random().toString(36).slice(2)}`, kind, version: 1, fromId: claim.id, fromName: claim.name, toId,
    timestamp: Date.now(), inReplyTo: '', payload: Note.encode({ code: 'hi', reason: '' }) as Uint8Array<ArrayBuffer>, signature: new Uint8Array(0)
  }
  if (options.sign === true) e.signature = await from.sign(signedBytes(e)) as Uint8Array<ArrayBuffer>
  return Envelope.encode(e)
}

const alice = Identity.create({ name: 'alice', machineId: 'auth-test' })
const bob = Identity.create({ name: 'bob', machineId: 'auth-test' })
const mallory = Identity.create({ name: 'mallory', machineId: 'auth-test' })

/** `auth:ask` (unsigned) answered by `auth:told`, and `auth:vouch` (declared `.signed()`); `handled` counts what reached a handler. */
function services (handled: string[]): (rt: Runtime) => void {
  return (rt) => {
    rt.register(meshRequest('auth:ask', 'Ask').withPayload(Note).repliesWith('auth:told').withHandler(1, async (msg, p) => {
      handled.push(`ask:${msg.fromName}`)
      await rt.emit({ kind: 'auth:told', to: msg.fromId, inReplyTo: msg.id, payload: { code: p.code.toUpperCase(), reason: '' } })
    }))
    rt.register(meshRequest('auth:told', 'Told').withPayload(Note))
    rt.register(meshRequest('auth:vouch', 'Vouch').withPayload(Note).signed().withHandler(1, (msg) => { handled.push(`vouch:${msg.fromName}`) }))
    rt.register(broadcast('auth:news', 'News').withPayload(Note).withHandler(1, (msg) => { handled.push(`news:${msg.fromName}`) }))
  }
}

/** Writes one request on a new stream and reads the answer. */
async function request (from: Libp2p, to: TestNara, protocol: string, bytes: Uint8Array): Promise<Envelope> {
  const lp = lpStream(await from.dialProtocol(to.node.getMultiaddrs()[0], protocol))
  await lp.write(bytes)
  return Envelope.decode((await lp.read()).subarray())
}

describe('who sent a message, proven once (libp2p on 127.0.0.1)', () => {
  it('a call signs nothing at either end: the stream\'s key is the proof; an impersonating request on the attacker\'s connection never reaches its handler', async () => {
    const handled: string[] = []
    const server = await startNara(bob, services(handled))
    const client = await startNara(alice, services([]))
    await client.node.dial(server.node.getMultiaddrs()[0])
    client.runtime.keyring.remember(bob.toKnown())
    const signs = [vi.spyOn(alice, 'sign'), vi.spyOn(bob, 'sign')]
    try {
      const answer = await client.runtime.call({ kind: 'auth:ask', to: bob.id, payload: { code: 'hi', reason: '' } })
      expect(answer.payload).toEqual({ code: 'HI', reason: '' })
      expect(signs.map(s => s.mock.calls.length)).toEqual([0, 0])
    } finally {
      for (const s of signs) s.mockRestore()
    }

    // mallory's connection, alice's NaraID: a well-formed envelope, unsigned as a real one is
    const attacker = await plainNode(mallory)
    const refused = await request(attacker, server, '/nara/auth/ask/1', await envelope(mallory, 'auth:ask', bob.id, { claim: alice }))
    expect(refused.kind).toBe('runtime:refused')
    expect(Note.decode(refused.payload).code).toBe('impersonation')
    expect(server.runtime.drops.get('impersonation')).toBe(1)
    expect(handled).toEqual(['ask:alice'])
  })

  it('verifies a .signed() kind\'s signature even on its sender\'s own connection', async () => {
    const handled: string[] = []
    const server = await startNara(bob, services(handled))
    const sender = await plainNode(alice)
    const forged = Envelope.decode(await envelope(alice, 'auth:vouch', bob.id, { sign: true }))
    forged.signature[5] ^= 1
    const lp = lpStream(await sender.dialProtocol(server.node.getMultiaddrs()[0], '/nara/auth/vouch/1'))
    await lp.write(Envelope.encode(forged))
    await waitFor(() => server.runtime.drops.get('bad-signature') === 1, 'the bad signature to be dropped')
    await lp.write(await envelope(alice, 'auth:vouch', bob.id))
    await waitFor(() => server.runtime.drops.get('malformed-envelope') === 1, 'the unsigned envelope to be dropped')
    await lp.write(await envelope(alice, 'auth:vouch', bob.id, { sign: true }))
    await waitFor(() => handled.length === 1, 'the signed envelope to be handled')
    expect(handled).toEqual(['vouch:alice'])
  })

  it('a broadcast carries one signature, its gossip message\'s; one whose gossip author is not its sender is dropped', async () => {
    const handled: string[] = []
    const sender = await startNara(alice, services([]))
    const receiver = await startNara(bob, services(handled))
    const watcher = await plainNode(mallory)
    const seen: GossipMessage[] = []
    watcher.services.pubsub.subscribe('/nara/auth/news')
    watcher.services.pubsub.addEventListener('message', (evt) => { seen.push(evt.detail) })
    await sender.node.dial(receiver.node.getMultiaddrs()[0])
    await watcher.dial(sender.node.getMultiaddrs()[0])
    await watcher.dial(receiver.node.getMultiaddrs()[0])
    await waitFor(() => sender.node.services.pubsub.getSubscribers('/nara/auth/news').length === 2, 'both to subscribe')

    await sender.runtime.emit({ kind: 'auth:news', payload: { code: 'news', reason: '' } })
    await waitFor(() => handled.length === 1 && seen.length === 1, 'the broadcast to arrive')
    expect(handled).toEqual(['news:alice'])
    const gossip = seen[0]
    if (gossip.type !== 'signed') throw new Error('the gossip message is not signed')
    expect(gossip.from.toString()).toBe(sender.node.peerId.toString())
    expect(Envelope.decode(gossip.data).signature).toHaveLength(0)
    // that one signature is all a third party needs
    const proof = gossipProof(gossip.sequenceNumber, gossip.signature)
    expect(await verifyGossipProof('/nara/auth/news', alice.publicKey, gossip.data, proof)).toBe(true)
    expect(await verifyGossipProof('/nara/auth/news', mallory.publicKey, gossip.data, proof)).toBe(false)
    expect(await verifyGossipProof('/nara/presence/hey-there', alice.publicKey, gossip.data, proof)).toBe(false)

    // mallory authors a gossip message claiming to be alice
    await watcher.services.pubsub.publish('/nara/auth/news', await envelope(mallory, 'auth:news', '', { claim: alice }))
    await waitFor(() => receiver.runtime.drops.get('impersonation') === 1, 'the forged broadcast to be dropped')
    expect(handled).toEqual(['news:alice'])
  })

  it('a hey-there relayed in a welcome carries its gossip signature: a nara that never heard of its sender verifies it', async () => {
    const a = await createNara({ name: 'relay-a', machineId: 'auth-test', ...FAST })
    naras.push(a)
    const b = await createNara({ name: 'relay-b', machineId: 'auth-test', bootstrap: a.multiaddrs(), ...FAST })
    naras.push(b)
    const c = await createNara({ name: 'relay-c', machineId: 'auth-test', ...FAST })
    naras.push(c)
    await waitFor(() => b.runtime.retained('presence:hey-there').some(m => m.fromId === a.identity.id), 'b to retain a\'s hey-there')
    const kept = b.runtime.retained('presence:hey-there').find(m => m.fromId === a.identity.id)
    if (kept === undefined) throw new Error('no hey-there of a kept')
    expect(Envelope.decode(kept.envelope).signature).toHaveLength(0)
    expect(kept.proof).toHaveLength(72)

    const tampered = { ...kept, proof: Uint8Array.from(kept.proof, (x, i) => i === 20 ? x ^ 1 : x) }
    expect(await c.runtime.deliverRelayed('presence:hey-there', [tampered], b.identity.id)).toBe(0)
    expect(c.runtime.drops.get('bad-signature')).toBe(1)
    expect(await c.runtime.deliverRelayed('presence:hey-there', [kept], b.identity.id)).toBe(1)
    expect(c.runtime.keyring.get(a.identity.id)?.introducedBy).toBe(b.identity.id)
  })
})
