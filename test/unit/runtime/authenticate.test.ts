import { describe, expect, it, vi } from 'vitest'
import { BehaviorDefinitionError, Envelope, Identity, MemoryNetwork, MemoryTransport, MockRuntime, broadcast, meshRequest, type InboundSink, type Message } from '../../../src/index.js'
import { TextCodec, type Text } from '../../helpers/text-codec.js'

const alice = Identity.create({ name: 'alice', machineId: 'auth-test' })
const mallory = Identity.create({ name: 'mallory', machineId: 'auth-test' })

/** bob serves `auth:say` (unsigned, the default) and `auth:sign` (declared `.signed()`); `heard` lists what its handlers got. */
function bob (network?: MemoryNetwork): { rt: MockRuntime, heard: string[] } {
  const rt = new MockRuntime({ name: 'bob', ...(network !== undefined ? { network } : {}) })
  const heard: string[] = []
  rt.register(meshRequest('auth:say', 'Say').withPayload(TextCodec).withHandler(1, (_msg, p: Text) => { heard.push(p.text) }))
  rt.register(meshRequest('auth:sign', 'Say, signed').withPayload(TextCodec).withHandler(1, (_msg, p: Text) => { heard.push(`signed:${p.text}`) }).signed())
  return { rt, heard }
}

/** `envelopeFrom` signs; what the runtime sends for an unsigned kind has no signature. */
const unsigned = (e: Envelope): Envelope => ({ ...e, signature: new Uint8Array(0) })

describe('authenticate: who sent a message, proven once', () => {
  it('accepts an unsigned mesh request on a link keyed by its sender: the key is the proof, no signature needed', async () => {
    const { rt, heard } = bob()
    const envelope = unsigned(await rt.envelopeFrom(alice, { kind: 'auth:say', to: rt.me().id, payload: { text: 'hi' } }))
    expect(await rt.deliver(envelope, { authenticatedKey: alice.publicKey })).toEqual({ accepted: true })
    expect(heard).toEqual(['hi'])
    // the sender is known from then on, by the key its link carried
    expect(rt.keyring.get(alice.id)?.publicKey).toEqual(alice.publicKey)
  })

  it('drops an impersonating request (a valid envelope with another nara\'s from_id, on a link keyed by the attacker) before any handler', async () => {
    const { rt, heard } = bob()
    rt.trust(alice)
    const claim = unsigned(await rt.envelopeFrom(mallory, { kind: 'auth:say', to: rt.me().id, payload: { text: 'give me alice\'s stash' } }, { fromId: alice.id, fromName: alice.name }))
    expect(await rt.deliver(claim, { authenticatedKey: mallory.publicKey })).toMatchObject({ accepted: false, reason: { code: 'impersonation' } })
    // even alice's own signature does not help a message on mallory's link
    const signedByAlice = await rt.envelopeFrom(alice, { kind: 'auth:say', to: rt.me().id, payload: { text: 'replayed' } })
    expect(await rt.deliver(signedByAlice, { authenticatedKey: mallory.publicKey })).toMatchObject({ accepted: false, reason: { code: 'impersonation' } })
    expect(heard).toEqual([])
    expect(rt.drops.get('impersonation')).toBe(2)
  })

  it('drops a replay of an accepted request on another link as a duplicate', async () => {
    const { rt, heard } = bob()
    const envelope = unsigned(await rt.envelopeFrom(alice, { kind: 'auth:say', to: rt.me().id, payload: { text: 'once' } }))
    expect(await rt.deliver(envelope, { authenticatedKey: alice.publicKey })).toEqual({ accepted: true })
    expect(await rt.deliver(envelope, { authenticatedKey: mallory.publicKey })).toMatchObject({ accepted: false, reason: { code: 'duplicate' } })
    expect(heard).toEqual(['once'])
  })

  it('drops an unsigned envelope that nothing authenticated', async () => {
    const { rt, heard } = bob()
    rt.trust(alice)
    const envelope = unsigned(await rt.envelopeFrom(alice, { kind: 'auth:say', to: rt.me().id, payload: { text: 'hi' } }))
    expect(await rt.deliver(envelope)).toMatchObject({ accepted: false, reason: { code: 'malformed-envelope' } })
    expect(heard).toEqual([])
  })

  it('verifies a .signed() kind\'s signature even on a link keyed by its sender: a bad or missing one is dropped', async () => {
    const { rt, heard } = bob()
    const good = await rt.envelopeFrom(alice, { kind: 'auth:sign', to: rt.me().id, payload: { text: 'good' } })
    expect(await rt.deliver(good, { authenticatedKey: alice.publicKey })).toEqual({ accepted: true })
    const forged = await rt.envelopeFrom(alice, { kind: 'auth:sign', to: rt.me().id, payload: { text: 'forged' } })
    forged.signature[0] ^= 1
    expect(await rt.deliver(forged, { authenticatedKey: alice.publicKey })).toMatchObject({ accepted: false, reason: { code: 'bad-signature' } })
    const bare = unsigned(await rt.envelopeFrom(alice, { kind: 'auth:sign', to: rt.me().id, payload: { text: 'bare' } }))
    expect(await rt.deliver(bare, { authenticatedKey: alice.publicKey })).toMatchObject({ accepted: false, reason: { code: 'malformed-envelope' } })
    expect(heard).toEqual(['signed:good'])
  })

  it('declares only mesh kinds signed: a broadcast is signed by its gossip message', () => {
    expect(() => broadcast('auth:news', 'News').withPayload(TextCodec).signed()).toThrow(BehaviorDefinitionError)
  })
})

describe('authenticate over linked MockRuntimes (memory links carry the sender\'s key)', () => {
  it('a call signs nothing at either end; a .signed() kind signs its request', async () => {
    const network = new MemoryNetwork()
    const server = new MockRuntime({ name: 'server', network })
    server.register(meshRequest('auth:ping', 'Ping').withPayload(TextCodec).repliesWith('auth:pong')
      .withHandler(1, async (msg: Message<Text>, p) => { await server.emit({ kind: 'auth:pong', to: msg.fromId, inReplyTo: msg.id, payload: { text: p.text.toUpperCase() } }) }))
    server.register(meshRequest('auth:pong', 'Pong').withPayload(TextCodec))
    server.register(meshRequest('auth:vouch', 'Vouch').withPayload(TextCodec).signed().withHandler(1, () => {}))
    const client = new MockRuntime({ name: 'client', network })
    client.register(meshRequest('auth:ping', 'Ping').withPayload(TextCodec).repliesWith('auth:pong'))
    client.register(meshRequest('auth:pong', 'Pong').withPayload(TextCodec))
    client.register(meshRequest('auth:vouch', 'Vouch').withPayload(TextCodec).signed())
    await server.start()
    await client.start()
    const signs = [vi.spyOn(client.identity, 'sign'), vi.spyOn(server.identity, 'sign')]

    const answer = await client.call({ kind: 'auth:ping', to: server.me().id, payload: { text: 'hi' } })
    expect(answer.payload).toEqual({ text: 'HI' })
    expect(signs.map(s => s.mock.calls.length)).toEqual([0, 0])

    await client.emit({ kind: 'auth:vouch', to: server.me().id, payload: { text: 'on record' } })
    expect(signs.map(s => s.mock.calls.length)).toEqual([1, 0])
    expect(server.stats().drops).toEqual({})
    await client.stop()
    await server.stop()
  })

  it('drops an impersonation sent over a memory link exactly as over a stream, with its reason, and answers it refused', async () => {
    const network = new MemoryNetwork()
    const { rt, heard } = bob(network)
    await rt.start()
    rt.trust(alice)
    const link = new MemoryTransport(mallory, network)
    const answers: Envelope[] = []
    const sink: InboundSink = { receive: async (bytes) => { answers.push(Envelope.decode(bytes)); return { accepted: true } }, dropped: () => {} }
    await link.start(sink)
    const claim = unsigned(await rt.envelopeFrom(mallory, { kind: 'auth:say', to: rt.me().id, payload: { text: 'as alice' } }, { fromId: alice.id, fromName: alice.name }))
    const say = rt.behaviors().find(b => b.kind === 'auth:say')
    if (say === undefined) throw new Error('auth:say is not registered')
    await link.send({ id: rt.me().id, publicKey: rt.identity.publicKey }, say, async () => Envelope.encode(claim), { requestId: claim.id, awaitReply: true, timeoutMs: 1_000 })
    expect(rt.drops.get('impersonation')).toBe(1)
    expect(heard).toEqual([])
    expect(answers.map(a => a.kind)).toEqual(['runtime:refused'])
    await link.stop()
    await rt.stop()
  })

  it('relays a broadcast with the signature it was broadcast with; a tampered one, or one under another key, is dropped', async () => {
    const network = new MemoryNetwork()
    const make = (name: string, on?: MemoryNetwork): MockRuntime => {
      const rt = new MockRuntime({ name, ...(on !== undefined ? { network: on } : {}) })
      rt.register(broadcast('auth:news', 'News').withPayload(TextCodec).retained().withHandler(1, () => {}))
      return rt
    }
    // the newcomer is not on the network: it has never heard of the author, so the relayed message must prove itself
    const [author, relay, newcomer] = [make('author', network), make('relay', network), make('newcomer')]
    await relay.start()
    await author.start()
    await author.emit({ kind: 'auth:news', payload: { text: 'hello' } })
    await relay.idle()
    const [kept] = relay.retained('auth:news')
    expect(kept.fromId).toBe(author.me().id)
    // one signature: the broadcast's, not one in the envelope too
    expect(Envelope.decode(kept.envelope).signature).toHaveLength(0)
    expect(kept.proof.byteLength).toBeGreaterThan(0)

    await newcomer.start()
    const tampered = { ...kept, proof: Uint8Array.from(kept.proof, (b, i) => i === 0 ? b ^ 1 : b) }
    expect(await newcomer.deliverRelayed('auth:news', [tampered], relay.me().id)).toBe(0)
    expect(newcomer.drops.get('bad-signature')).toBe(1)
    expect(await newcomer.deliverRelayed('auth:news', [{ ...kept, publicKey: mallory.publicKey }], relay.me().id)).toBe(0)
    expect(newcomer.drops.get('impersonation')).toBe(1)
    expect(await newcomer.deliverRelayed('auth:news', [kept], relay.me().id)).toBe(1)
    expect(newcomer.keyring.get(author.me().id)?.introducedBy).toBe(relay.me().id)
    for (const rt of [author, relay, newcomer]) await rt.stop()
  })
})
