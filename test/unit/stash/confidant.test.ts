import { describe, expect, it } from 'vitest'
import { CAPACITY_BY_MEMORY_MODE, MAX_CIPHERTEXT_BYTES, MockRuntime, StashService, fairShare, type MemoryMode } from '../../../src/index.js'
import { captureReplies, deliverStore, naraNamed, replyPayload, storePayload } from '../../helpers/stash.js'

async function confidant (memoryMode: MemoryMode = 'medium'): Promise<{ rt: MockRuntime, svc: StashService }> {
  const rt = new MockRuntime({ name: 'confidant', memoryMode })
  const svc = new StashService()
  await svc.init(rt)
  return { rt, svc }
}

describe('stash: the confidant', () => {
  it('stores and acknowledges with the version it holds', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    const reply = await deliverStore(rt, alice, storePayload(alice, 'state', 42))
    expect(reply).toEqual({ kind: 'stash:ack', payload: { ownerId: alice.id, version: 42 } })
    expect(svc.stored.get(alice.id)?.version).toBe(42)
  })

  it('acknowledges before it logs the store: the owner\'s set does not wait for logging', async () => {
    const { rt } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    const logged = (): boolean => rt.logs.some(r => r.msg === 'storing stash')
    let loggedAtAck: boolean | undefined
    const channel = { reply: async () => { loggedAtAck = logged() } }
    await rt.deliver(await rt.envelopeFrom(alice, { kind: 'stash:store', to: rt.me().id, payload: storePayload(alice, 'state', 7) }), { replyChannel: channel })
    expect(loggedAtAck).toBe(false)
    expect(logged()).toBe(true)
  })

  it('returns the stash to its owner on request, and says not found otherwise', async () => {
    const { rt } = await confidant()
    const alice = naraNamed('alice')
    const bob = naraNamed('bob')
    rt.trust(alice)
    rt.trust(bob)
    const stored = storePayload(alice, 'state', 3)
    await deliverStore(rt, alice, stored)

    const ask = async (who: typeof alice): Promise<unknown> => {
      const { channel, replies } = captureReplies()
      await rt.deliver(await rt.envelopeFrom(who, { kind: 'stash:request', to: rt.me().id, payload: { ownerId: who.id } }), { replyChannel: channel })
      expect(replies).toHaveLength(1)
      return replyPayload(replies[0])
    }
    expect(await ask(alice)).toEqual({ ownerId: alice.id, found: true, version: 3, nonce: stored.nonce, ciphertext: stored.ciphertext })
    expect(await ask(bob)).toMatchObject({ ownerId: bob.id, found: false, version: 0 })
  })

  it('refuses to store or return a stash for anyone but its owner', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    const mallory = naraNamed('mallory')
    rt.trust(alice)
    rt.trust(mallory)
    await deliverStore(rt, alice, storePayload(alice, 'real', 1))

    const overwrite = await deliverStore(rt, mallory, { ...storePayload(mallory, 'fake', 9), ownerId: alice.id })
    expect(overwrite).toMatchObject({ kind: 'runtime:refused', payload: { code: 'not-owner' } })
    expect(svc.stored.get(alice.id)?.version).toBe(1)

    const { channel, replies } = captureReplies()
    await rt.deliver(await rt.envelopeFrom(mallory, { kind: 'stash:request', to: rt.me().id, payload: { ownerId: alice.id } }), { replyChannel: channel })
    expect(replyPayload(replies[0])).toMatchObject({ code: 'not-owner' })
  })

  it('rejects invalid payloads in the receive pipeline: bad nonce, empty or oversize ciphertext', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    const good = storePayload(alice, 'state')
    const cases = [
      { ...good, nonce: good.nonce.slice(0, 23) },
      { ...good, ciphertext: new Uint8Array(0) },
      { ...good, ciphertext: new Uint8Array(MAX_CIPHERTEXT_BYTES + 1) },
      { ...good, ownerId: '' }
    ]
    for (const payload of cases) {
      const { channel, replies } = captureReplies()
      const envelope = await rt.envelopeFrom(alice, { kind: 'stash:store', to: rt.me().id, payload })
      const outcome = await rt.deliver(envelope, { replyChannel: channel })
      expect(outcome).toMatchObject({ accepted: false, reason: { code: expect.stringMatching(/invalid-payload|oversize/) } })
      // The sender learns why on its stream.
      expect(replies[0]?.kind).toBe('runtime:refused')
    }
    expect(svc.stored.size).toBe(0)
  })

  it('accepts exactly 10 KiB of ciphertext', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    const good = storePayload(alice, 'state')
    const reply = await deliverStore(rt, alice, { ...good, ciphertext: new Uint8Array(MAX_CIPHERTEXT_BYTES).fill(7) })
    expect(reply.kind).toBe('stash:ack')
    expect(svc.stored.get(alice.id)?.ciphertext.byteLength).toBe(MAX_CIPHERTEXT_BYTES)
  })

  it('keeps the newest version: newer replaces older, older is refused', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    await deliverStore(rt, alice, storePayload(alice, 'v5', 5))
    expect((await deliverStore(rt, alice, storePayload(alice, 'v9', 9))).kind).toBe('stash:ack')
    expect(svc.stored.get(alice.id)?.version).toBe(9)
    expect(await deliverStore(rt, alice, storePayload(alice, 'v7', 7))).toMatchObject({ kind: 'runtime:refused', payload: { code: 'stale-version' } })
    const held = svc.stored.get(alice.id)!
    expect(new TextDecoder().decode(alice.open(held))).toBe('v9')
  })

  it('holds at most as many owners as its memory mode allows', async () => {
    const { rt, svc } = await confidant('low')
    const capacity = CAPACITY_BY_MEMORY_MODE.low
    const owners = Array.from({ length: capacity + 1 }, (_, i) => naraNamed(`owner-${i}`))
    for (const owner of owners) rt.trust(owner)
    rt.setOnlinePeers(owners.map(o => ({ id: o.id, name: o.name, uptimeMs: 1, lastSeen: Date.now(), onlineSince: Date.now() })))
    for (const owner of owners.slice(0, capacity)) expect((await deliverStore(rt, owner, storePayload(owner, 'x'))).kind).toBe('stash:ack')
    const full = await deliverStore(rt, owners[capacity], storePayload(owners[capacity], 'x'))
    expect(full).toMatchObject({ kind: 'runtime:refused', payload: { code: 'storage-full' } })
    expect(svc.stored.size).toBe(capacity)
    // An owner already held may still update its stash.
    expect((await deliverStore(rt, owners[0], storePayload(owners[0], 'y', 2))).kind).toBe('stash:ack')
  })

  it('the owners one peer brought in hold at most a quarter of the slots; owners from elsewhere, or direct, still get in', async () => {
    const { rt, svc } = await confidant('medium')
    const share = fairShare(CAPACITY_BY_MEMORY_MODE.medium)
    const sybils = Array.from({ length: share + 1 }, (_, i) => naraNamed(`sybil-${i}`))
    for (const s of sybils) rt.trust({ ...s.toKnown(), introducedBy: 'one-forwarder' })
    for (const s of sybils.slice(0, share)) expect((await deliverStore(rt, s, storePayload(s, 'x'))).kind).toBe('stash:ack')
    const over = await deliverStore(rt, sybils[share], storePayload(sybils[share], 'x'))
    expect(over).toMatchObject({ kind: 'runtime:refused', payload: { code: 'origin-share' } })
    expect(svc.stats().storesRefused['origin-share']).toBe(1)
    // one already held may still update its stash
    expect((await deliverStore(rt, sybils[0], storePayload(sybils[0], 'y', 2))).kind).toBe('stash:ack')
    const relayed = naraNamed('relayed')
    rt.trust({ ...relayed.toKnown(), introducedBy: 'another-forwarder' })
    const direct = naraNamed('direct')
    rt.trust(direct)
    expect((await deliverStore(rt, relayed, storePayload(relayed, 'x'))).kind).toBe('stash:ack')
    expect((await deliverStore(rt, direct, storePayload(direct, 'x'))).kind).toBe('stash:ack')
  })

  it('owners connecting from one IP share one fair share of the slots', async () => {
    const { rt } = await confidant('low')
    const share = fairShare(CAPACITY_BY_MEMORY_MODE.low)
    const owners = Array.from({ length: share + 1 }, (_, i) => naraNamed(`behind-one-ip-${i}`))
    for (const o of owners) rt.trust(o)
    rt.addressOf = () => '/ip4/203.0.113.7/tcp/4001'
    for (const o of owners.slice(0, share)) expect((await deliverStore(rt, o, storePayload(o, 'x'))).kind).toBe('stash:ack')
    expect(await deliverStore(rt, owners[share], storePayload(owners[share], 'x'))).toMatchObject({ kind: 'runtime:refused', payload: { code: 'origin-share' } })
  })

  it('when full, makes room by forgetting the oldest stash of an owner that is offline', async () => {
    const { rt, svc } = await confidant('low')
    const owners = Array.from({ length: CAPACITY_BY_MEMORY_MODE.low + 1 }, (_, i) => naraNamed(`owner-${i}`))
    for (const owner of owners) rt.trust(owner)
    for (const owner of owners.slice(0, -1)) await deliverStore(rt, owner, storePayload(owner, 'x'))
    // owner-0 is gone; everyone else is still online.
    rt.setOnlinePeers(owners.slice(1).map(o => ({ id: o.id, name: o.name, uptimeMs: 1, lastSeen: Date.now(), onlineSince: Date.now() })))
    const newcomer = owners[owners.length - 1]
    expect((await deliverStore(rt, newcomer, storePayload(newcomer, 'x'))).kind).toBe('stash:ack')
    expect(svc.stored.has(owners[0].id)).toBe(false)
    expect(svc.stored.has(newcomer.id)).toBe(true)
  })

  it('a 1-bit change to a stored ciphertext makes it impossible to open', async () => {
    const { rt, svc } = await confidant()
    const alice = naraNamed('alice')
    rt.trust(alice)
    await deliverStore(rt, alice, storePayload(alice, 'state'))
    const held = svc.stored.get(alice.id)!
    const flipped = Uint8Array.from(held.ciphertext)
    flipped[0] ^= 1
    expect(() => alice.open({ nonce: held.nonce, ciphertext: flipped })).toThrow(expect.objectContaining({ name: 'OpenFailedError' }))
  })
})
