import { randomBytes } from 'node:crypto'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RPC } from '@libp2p/gossipsub/message'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { Envelope, Identity, signedBytes } from '../../src/index.js'
import { PresenceAnnounceCodec } from '../../src/services/presence/payloads.js'
import { StashStoreCodec } from '../../src/services/stash/payloads.js'
import { Refusal } from '../../protocols/runtime.js'
import type { Stream } from '@libp2p/interface'

export const HEY_THERE_TOPIC = '/nara/presence/hey-there'
const MESHSUB = '/meshsub/1.1.0'
const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

let seqno = BigInt(Date.now()) * 1_000_000n

/** A fresh nara identity, as a sybil makes them by the thousand. */
export const freshIdentity = (i: number, tag: string): Identity => Identity.create({ name: `${tag}-${i}`, machineId: `sybil-${tag}` })

/** A nara envelope signed by `from`, as its runtime would send it. */
export async function signedEnvelope (from: Identity, kind: string, payload: Uint8Array, toId = ''): Promise<Uint8Array> {
  const envelope: Envelope = {
    id: randomBytes(8).toString('hex'), kind, version: 1, fromId: from.id, fromName: from.name, toId,
    timestamp: Date.now(), inReplyTo: '', payload: payload as Uint8Array<ArrayBuffer>, signature: new Uint8Array(0)
  }
  return Envelope.encode({ ...envelope, signature: await from.sign(signedBytes(envelope)) as Uint8Array<ArrayBuffer> })
}

/**
 * A presence:hey-there of `from`, wrapped as a gossipsub message authored (StrictSign)
 * by `author`: the same key, unless the sender is to be impersonated. It announces the
 * longest heartbeat presence honours (60 s), so the sender, which never sends another,
 * stays online for 3 min: a test's checks do not race its silence on a slow machine.
 */
export async function heyThereMessage (from: Identity, author: Identity = from): Promise<RPC.Message> {
  const payload = PresenceAnnounceCodec.encode({ uptimeMs: 60_000, memoryMode: 'medium', heartbeatMs: 60_000, addresses: [], alone: false, refutesGone: false })
  return await gossipMessage(author, HEY_THERE_TOPIC, await signedEnvelope(from, 'presence:hey-there', payload))
}

/** A nara's gossipsub score of a peer (the method is on gossipsub's class, not its interface). */
export function gossipScore (nara: { libp2p: { services: { pubsub: unknown } } }, peerId: string): number {
  return (nara.libp2p.services.pubsub as { getScore: (peer: string) => number }).getScore(peerId)
}

/** A gossipsub message signed by its author, the way gossipsub's StrictSign expects it. */
export async function gossipMessage (author: Identity, topic: string, data: Uint8Array): Promise<RPC.Message> {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, ++seqno, false)
  const unsigned: RPC.Message = { from: peerIdFromPrivateKey(author.privateKey).toMultihash().bytes, data, seqno: bytes, topic }
  const toSign = new Uint8Array([...SIGN_PREFIX, ...RPC.Message.encode(unsigned)])
  return { ...unsigned, signature: await author.privateKey.sign(toSign), key: publicKeyToProtobuf(author.privateKey.publicKey) }
}

/**
 * A plain libp2p peer (no nara runtime, no gossipsub service) that speaks gossipsub's
 * wire protocol by hand: it can forward messages authored by any key it holds, as a
 * sybil relaying its own fresh identities does.
 */
export class PlainForwarder {
  private constructor (readonly node: Libp2p, private readonly stream: Stream) {}

  static async connect (target: string): Promise<PlainForwarder> {
    const node = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
    // the nara's gossipsub may open its own stream back: accept it and let it drain
    await node.handle(MESHSUB, (stream) => { void drain(stream) })
    const stream = await node.dialProtocol(multiaddr(target), MESHSUB)
    const forwarder = new PlainForwarder(node, stream)
    await forwarder.send({ subscriptions: [{ subscribe: true, topic: HEY_THERE_TOPIC }], messages: [] })
    return forwarder
  }

  /** Sends RPCs that carry nothing but this peer's subscription again (gossipsub counts RPCs, not their content). */
  async repeatSubscription (times: number): Promise<void> {
    for (let i = 0; i < times; i++) await this.send({ subscriptions: [{ subscribe: true, topic: HEY_THERE_TOPIC }], messages: [] })
  }

  /** Sends messages in RPCs of `batch` (gossipsub caps one RPC at 1 MiB on nara). */
  async forward (messages: RPC.Message[], batch = 100): Promise<void> {
    for (let i = 0; i < messages.length; i += batch) await this.send({ subscriptions: [], messages: messages.slice(i, i + batch) })
  }

  get peerId (): string {
    return this.node.peerId.toString()
  }

  async stop (): Promise<void> {
    await this.node.stop()
  }

  private async send (rpc: RPC): Promise<void> {
    await lpStream(this.stream).write(RPC.encode(rpc))
  }
}

async function drain (stream: Stream): Promise<void> {
  try {
    for await (const _ of stream) { /* discard */ }
  } catch {
    // the connection went away
  }
}

/** What a confidant answered a store: acknowledged, or refused with a code. */
export type StoreAnswer = { kind: 'stash:ack' } | { kind: 'runtime:refused', code: string }

/**
 * Stores a stash of `bytes` random bytes with the nara at `target` in `owner`'s name, over
 * a libp2p connection of `owner`'s own key (a nara accepts a store only from its owner).
 */
export async function plainStore (target: string, targetId: string, owner: Identity, bytes: number): Promise<StoreAnswer> {
  const node = await createLibp2p({ privateKey: owner.privateKey, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  try {
    const payload = StashStoreCodec.encode({ ownerId: owner.id, version: Date.now(), nonce: new Uint8Array(randomBytes(24)), ciphertext: new Uint8Array(randomBytes(bytes)) })
    const stream = await node.dialProtocol(multiaddr(target), '/nara/stash/store/1')
    const lp = lpStream(stream)
    await lp.write(await signedEnvelope(owner, 'stash:store', payload, targetId))
    const reply = Envelope.decode((await lp.read()).subarray())
    if (reply.kind === 'runtime:refused') return { kind: 'runtime:refused', code: Refusal.decode(reply.payload).code }
    if (reply.kind === 'stash:ack') return { kind: 'stash:ack' }
    throw new Error(`unexpected reply ${reply.kind}`)
  } finally {
    await node.stop()
  }
}
