import { afterEach, describe, expect, it } from 'vitest'
import { Identity, MemoryNetwork, MockRuntime, broadcast, local, meshRequest, type Message, type Traffic } from '../../../src/index.js'
import { TextCodec, type Text } from '../../helpers/text-codec.js'
import { waitFor } from '../../helpers/wait.js'

const started: MockRuntime[] = []
afterEach(async () => {
  for (const rt of started.splice(0)) await rt.stop()
})

/** Two linked runtimes with a broadcast, a mesh request answered by the callee, and a local kind. */
async function pair (): Promise<{ alice: MockRuntime, bob: MockRuntime }> {
  const network = new MemoryNetwork()
  const alice = new MockRuntime({ name: 'alice', network })
  const bob = new MockRuntime({ name: 'bob', network })
  for (const rt of [alice, bob]) {
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec).withHandler(1, () => {}))
    rt.register(meshRequest('echo:said', 'Said').withPayload(TextCodec))
    rt.register(local('echo:local', 'Local').withPayload(TextCodec))
  }
  alice.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).repliesWith('echo:said'))
  bob.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).repliesWith('echo:said')
    .withHandler(1, async (msg: Message<Text>, p) => { await bob.emit({ kind: 'echo:said', to: msg.fromId, inReplyTo: msg.id, payload: { text: p.text } }) }))
  await alice.start()
  await bob.start()
  started.push(alice, bob)
  return { alice, bob }
}

describe('runtime.observe', () => {
  it('reports every network message in and out with its kind, peer, size and outcome; local kinds are not traffic', async () => {
    const { alice, bob } = await pair()
    const seenByAlice: Traffic[] = []
    const seenByBob: Traffic[] = []
    alice.observe(t => { seenByAlice.push(t) })
    bob.observe(t => { seenByBob.push(t) })

    await alice.call({ kind: 'echo:say', to: bob.me().id, payload: { text: 'hello' } })
    await alice.emit({ kind: 'echo:shout', payload: { text: 'all' } })
    await alice.emit({ kind: 'echo:local', payload: { text: 'only me' } })
    await waitFor(() => seenByAlice.length === 3 && seenByBob.length === 3, 'both sides to report their traffic')

    const me = (rt: MockRuntime): { id: string, name: string } => rt.me()
    expect(seenByAlice).toEqual(expect.arrayContaining([
      expect.objectContaining({ direction: 'out', kind: 'echo:say', peer: me(bob), outcome: 'accepted', bytes: expect.any(Number) }),
      expect.objectContaining({ direction: 'in', kind: 'echo:said', peer: me(bob), outcome: 'accepted' }),
      expect.objectContaining({ direction: 'out', kind: 'echo:shout', outcome: 'accepted' })
    ]))
    expect(seenByAlice.find(t => t.kind === 'echo:shout')?.peer).toBeUndefined()
    expect(seenByBob).toEqual(expect.arrayContaining([
      expect.objectContaining({ direction: 'in', kind: 'echo:say', peer: me(alice), outcome: 'accepted' }),
      expect.objectContaining({ direction: 'out', kind: 'echo:said', peer: me(alice), outcome: 'accepted' }),
      expect.objectContaining({ direction: 'in', kind: 'echo:shout', peer: me(alice), outcome: 'accepted' })
    ]))
    // the sizes are the envelopes' own: what one side sent is what the other received
    const sent = seenByAlice.find(t => t.kind === 'echo:say')
    expect(sent?.bytes).toBeGreaterThan(64)
    expect(seenByBob.find(t => t.kind === 'echo:say')?.bytes).toBe(sent?.bytes)
  })

  it('reports a drop with its reason and the sender the envelope claims; an undecodable envelope has no kind or peer', async () => {
    const rt = new MockRuntime({ name: 'bob' })
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec).withHandler(1, () => {}))
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    rt.trust(alice)
    const seen: Traffic[] = []
    rt.observe(t => { seen.push(t) })
    const forged = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } })
    forged.signature[0] ^= 1
    await rt.deliver(forged)
    await rt.deliver(Uint8Array.from([1, 2, 3]))
    expect(seen).toEqual([
      expect.objectContaining({ direction: 'in', kind: 'echo:shout', peer: { id: alice.id, name: 'alice' }, outcome: 'bad-signature' }),
      { direction: 'in', kind: '', bytes: 3, at: expect.any(Number), outcome: 'malformed-envelope' }
    ])
  })

  it('reports a failed send with the error it failed with', async () => {
    const { alice } = await pair()
    const seen: Traffic[] = []
    alice.observe(t => { seen.push(t) })
    const stranger = Identity.create({ name: 'stranger', machineId: 'test' })
    await expect(alice.call({ kind: 'echo:say', to: stranger.id, payload: { text: 'hi' } })).rejects.toThrow(/cannot reach/)
    await waitFor(() => seen.length === 1, 'the failed send to be reported')
    expect(seen[0]).toEqual({ direction: 'out', kind: 'echo:say', peer: { id: stranger.id, name: '' }, at: expect.any(Number), outcome: 'UnreachableError' })
  })

  it('stops reporting after unsubscribe; a listener that throws breaks neither delivery nor other listeners', async () => {
    const rt = new MockRuntime({ name: 'bob' })
    const texts: string[] = []
    rt.register(broadcast('echo:shout', 'Shout').withPayload(TextCodec).withHandler(1, (_m, p: Text) => { texts.push(p.text) }))
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    rt.trust(alice)
    const kept: Traffic[] = []
    const removed: Traffic[] = []
    rt.observe(() => { throw new Error('broken listener') })
    rt.observe(t => { kept.push(t) })
    const off = rt.observe(t => { removed.push(t) })
    await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'one' } }))
    off()
    expect(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'two' } }))).toEqual({ accepted: true })
    expect(texts).toEqual(['one', 'two'])
    expect(kept.map(t => t.outcome)).toEqual(['accepted', 'accepted'])
    expect(removed).toHaveLength(1)
    expect(rt.logs.some(l => l.msg === 'traffic observer failed')).toBe(true)
  })
})
