import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { byteStream, lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { Envelope } from '../../src/index.js'
import { StashStoreCodec } from '../../src/services/stash/payloads.js'
import { startSwarm, stopAll } from '../helpers/swarm.js'
import { waitFor } from '../helpers/wait.js'
import type { StandaloneNara } from '../../src/index.js'

const STORE = '/nara/stash/store/1'

/** A varint length prefix, as length-prefixed framing writes it. */
function varint (n: number): Uint8Array {
  const bytes: number[] = []
  do {
    bytes.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
    n >>>= 7
  } while (n > 0)
  return Uint8Array.from(bytes)
}

describe(`a plain libp2p peer sending junk to ${STORE}`, () => {
  let nodes: StandaloneNara[] = []
  let mallory: Libp2p
  beforeAll(async () => {
    nodes = await startSwarm(2, 'junk')
    mallory = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  }, 60_000)
  afterAll(async () => {
    await mallory?.stop()
    await stopAll(nodes)
  })

  const target = (): StandaloneNara => nodes[1]
  const send = async (bytes: Uint8Array): Promise<void> => {
    const stream = await mallory.dialProtocol(multiaddr(target().multiaddrs()[0]), STORE)
    await byteStream(stream).write(bytes)
    await stream.close().catch(() => {})
  }
  const dropsOf = (code: string): number => target().runtime.drops.get(code)

  it.each([
    ['garbage inside a valid frame', 'malformed-envelope', () => Uint8Array.from([...varint(6), 1, 2, 3, 4, 5, 6])],
    ['a frame announcing 1 MB', 'oversize-frame', () => Uint8Array.from([...varint(1_000_000), 1, 2, 3])],
    ['a truncated frame', 'truncated-frame', () => Uint8Array.from([...varint(100), ...new Uint8Array(10)])],
    ['a garbage length prefix', 'bad-frame', () => new Uint8Array(12).fill(0xff)]
  ])('%s is dropped and counted as %s; nothing is stored', async (_what, code, bytes) => {
    const before = dropsOf(code)
    await send(bytes())
    await waitFor(() => dropsOf(code) > before, `a ${code} drop`)
    expect(target().stash.stored.size).toBe(0)
  })

  it('an envelope claiming the owner\'s identity from another connection is dropped; the owner\'s stash is untouched', async () => {
    // The owner really stores; then mallory sends a store in the owner's name.
    const owner = nodes[0]
    await owner.stash.set(new TextEncoder().encode('real'))
    const stored = target().stash.stored.get(owner.identity.id)
    expect(stored).toBeDefined()
    const forged: Envelope = {
      id: 'forged-1', kind: 'stash:store', version: 1, fromId: owner.identity.id, fromName: owner.identity.name, toId: target().identity.id,
      timestamp: Date.now(),
      inReplyTo: '',
      // well-formed, so the message gets past decoding to the identity check
      payload: StashStoreCodec.encode({ ownerId: owner.identity.id, version: Date.now() + 1, nonce: new Uint8Array(24), ciphertext: new Uint8Array(32) }) as Uint8Array<ArrayBuffer>,
      signature: new Uint8Array(64).fill(7)
    }
    const stream = await mallory.dialProtocol(multiaddr(target().multiaddrs()[0]), STORE)
    await lpStream(stream).write(Envelope.encode(forged))
    await stream.close().catch(() => {})
    // mallory's connection key is not the owner's: dropped before the signature is even checked.
    await waitFor(() => dropsOf('impersonation') > 0, 'the forged envelope to be dropped')
    expect(target().stash.stored.get(owner.identity.id)?.version).toBe(stored?.version)
  })

  it('the node is still up and serving its peers', async () => {
    const report = await nodes[0].stash.set(new TextEncoder().encode('still here'))
    expect(report.confidants.map(c => c.id)).toEqual([target().identity.id])
    expect(target().runtime.stats().drops).toMatchObject({ 'malformed-envelope': 1, 'oversize-frame': 1, 'truncated-frame': 1, 'bad-frame': 1 })
  })
})
