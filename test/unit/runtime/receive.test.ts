import { describe, expect, it } from 'vitest'
import { Identity, MockRuntime, MAX_CLOCK_SKEW_MS, broadcast, local, meshRequest, type Message } from '../../../src/index.js'
import { TextCodec, type Text } from '../../helpers/text-codec.js'

/** A runtime with one broadcast kind `echo:shout` (v1 and v2 handlers) and a trusted sender. */
function setup (): { rt: MockRuntime, alice: Identity, seen: Array<{ version: number, text: string }> } {
  const rt = new MockRuntime({ name: 'bob' })
  const seen: Array<{ version: number, text: string }> = []
  rt.register(broadcast('echo:shout', 'Shout')
    .withPayload(TextCodec, 1)
    .withHandler(1, (msg: Message<Text>, p) => { seen.push({ version: msg.version, text: p.text }) })
    .withPayload(TextCodec, 2)
    .withHandler(2, (msg: Message<Text>, p) => { seen.push({ version: msg.version, text: `v2:${p.text}` }) })
    .withRateLimit(1, 3))
  const alice = Identity.create({ name: 'alice', machineId: 'test' })
  rt.trust(alice)
  return { rt, alice, seen }
}

describe('receive pipeline', () => {
  it('delivers a valid signed message to the handler of its version only', async () => {
    const { rt, alice, seen } = setup()
    expect(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', version: 1, payload: { text: 'hi' } }))).toEqual({ accepted: true })
    expect(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', version: 2, payload: { text: 'yo' } }))).toEqual({ accepted: true })
    expect(seen).toEqual([{ version: 1, text: 'hi' }, { version: 2, text: 'v2:yo' }])
  })

  it('drops a duplicate id', async () => {
    const { rt, alice, seen } = setup()
    const envelope = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'once' } })
    await rt.deliver(envelope)
    expect(await rt.deliver(envelope)).toMatchObject({ accepted: false, reason: { code: 'duplicate' } })
    expect(seen).toHaveLength(1)
    expect(rt.drops.get('duplicate')).toBe(1)
  })

  it('drops a forged signature', async () => {
    const { rt, alice, seen } = setup()
    const envelope = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } })
    envelope.signature[0] ^= 1
    expect(await rt.deliver(envelope)).toMatchObject({ accepted: false, reason: { code: 'bad-signature' } })
    const tampered = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } })
    expect(await rt.deliver({ ...tampered, payload: TextCodec.encode({ text: 'ho' }) as Uint8Array<ArrayBuffer> }))
      .toMatchObject({ accepted: false, reason: { code: 'bad-signature' } })
    expect(seen).toHaveLength(0)
  })

  it('remembers only verified messages: a forged copy cannot make the genuine message a "duplicate"', async () => {
    const { rt, alice, seen } = setup()
    const genuine = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'real' } })
    const forged = { ...genuine, signature: Uint8Array.from(genuine.signature).fill(1) }
    expect(await rt.deliver(forged)).toMatchObject({ reason: { code: 'bad-signature' } })
    expect(await rt.deliver(genuine)).toEqual({ accepted: true })
    expect(seen).toEqual([{ version: 2, text: 'v2:real' }])
  })

  it('drops a copy of an accepted message before checking its signature again', async () => {
    const { rt, alice, seen } = setup()
    const genuine = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'real' } })
    expect(await rt.deliver(genuine)).toEqual({ accepted: true })
    // Were the signature checked first, this would be "bad-signature".
    const mangled = { ...genuine, signature: Uint8Array.from(genuine.signature).fill(1) }
    expect(await rt.deliver(mangled)).toMatchObject({ accepted: false, reason: { code: 'duplicate' } })
    expect(rt.drops.get('bad-signature')).toBe(0)
    expect(seen).toHaveLength(1)
  })

  it('checks the clock only once the signature holds: a forged old message counts as forged', async () => {
    const { rt, alice } = setup()
    const old = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'old' } }, { timestamp: Date.now() - MAX_CLOCK_SKEW_MS - 60_000 })
    expect(await rt.deliver(old)).toMatchObject({ accepted: false, reason: { code: 'stale' } })
    expect(await rt.deliver({ ...old, id: 'another-id', signature: Uint8Array.from(old.signature).fill(2) }))
      .toMatchObject({ accepted: false, reason: { code: 'bad-signature' } })
  })

  it('de-duplicates before rate-limiting: replays do not use up a sender\'s allowance', async () => {
    const { rt, alice, seen } = setup()
    const once = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'once' } })
    for (let i = 0; i < 5; i++) await rt.deliver(once)
    expect(rt.drops.get('duplicate')).toBe(4)
    expect(rt.drops.get('rate-limited')).toBe(0)
    expect(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'twice' } }))).toEqual({ accepted: true })
    expect(seen.map(s => s.text)).toEqual(['v2:once', 'v2:twice'])
  })

  it('keeps ids per sender: another nara reusing an id cannot suppress the real message', async () => {
    const { rt, alice, seen } = setup()
    const mallory = Identity.create({ name: 'mallory', machineId: 'test' })
    rt.trust(mallory)
    const real = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'from alice' } })
    expect(await rt.deliver(await rt.envelopeFrom(mallory, { kind: 'echo:shout', payload: { text: 'first' } }, { id: real.id }))).toEqual({ accepted: true })
    expect(await rt.deliver(real)).toEqual({ accepted: true })
    expect(seen.map(s => s.text)).toEqual(['v2:first', 'v2:from alice'])
  })

  it('a message refused by the rate limit is not remembered, so floods cannot push real ids out', async () => {
    const { rt, alice } = setup()
    for (let i = 0; i < 3; i++) await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: `${i}` } }))
    const refused = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'too many' } })
    expect(await rt.deliver(refused)).toMatchObject({ reason: { code: 'rate-limited' } })
    // Delivered again (after the bucket refills it would pass): it is not a "duplicate" of something never processed.
    expect(await rt.deliver(refused)).toMatchObject({ reason: { code: 'rate-limited' } })
  })

  it('drops a message whose sender it cannot verify, or that claims another identity', async () => {
    const { rt, alice, seen } = setup()
    const mallory = Identity.create({ name: 'mallory', machineId: 'test' })
    expect(await rt.deliver(await rt.envelopeFrom(mallory, { kind: 'echo:shout', payload: { text: 'hi' } })))
      .toMatchObject({ accepted: false, reason: { code: 'unknown-sender' } })
    // Mallory signs a message claiming to be alice, on a connection authenticated as mallory.
    const claim = await rt.envelopeFrom(mallory, { kind: 'echo:shout', payload: { text: 'hi' } }, { fromId: alice.id, fromName: alice.name })
    expect(await rt.deliver(claim, { authenticatedKey: mallory.publicKey }))
      .toMatchObject({ accepted: false, reason: { code: 'impersonation' } })
    // Alice's id under another name does not verify either.
    const renamed = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } }, { fromName: 'alicia' })
    expect(await rt.deliver(renamed)).toMatchObject({ accepted: false, reason: { code: 'impersonation' } })
    expect(seen).toHaveLength(0)
  })

  it('drops an unknown version, an unknown kind and a kind on the wrong route', async () => {
    const { rt, alice, seen } = setup()
    const v3 = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } }, { version: 3 })
    expect(await rt.deliver(v3)).toMatchObject({ accepted: false, reason: { code: 'unknown-version' } })
    const unknown = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } }, { kind: 'echo:whisper' })
    expect(await rt.deliver(unknown)).toMatchObject({ accepted: false, reason: { code: 'unknown-kind' } })
    const misrouted = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } })
    expect(await rt.deliver(misrouted, { routedKind: 'stash:store' })).toMatchObject({ accepted: false, reason: { code: 'wrong-route' } })
    expect(seen).toHaveLength(0)
  })

  it('drops garbage, malformed and invalid payloads before any handler', async () => {
    const { rt, alice, seen } = setup()
    expect(await rt.deliver(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toMatchObject({ accepted: false, reason: { code: 'malformed-envelope' } })
    const bad = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'x' } }, { payload: new TextEncoder().encode('{not json') as Uint8Array<ArrayBuffer> })
    expect(await rt.deliver(bad)).toMatchObject({ accepted: false, reason: { code: 'malformed-payload' } })
    const empty = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: '' } })
    expect(await rt.deliver(empty)).toMatchObject({ accepted: false, reason: { code: 'invalid-payload' } })
    const unsigned = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'x' } })
    expect(await rt.deliver({ ...unsigned, signature: new Uint8Array(0) })).toMatchObject({ reason: { code: 'malformed-envelope' } })
    expect(seen).toHaveLength(0)
    expect(rt.stats().drops).toMatchObject({ 'malformed-envelope': 2, 'malformed-payload': 1, 'invalid-payload': 1 })
  })

  it('drops oversize envelopes', async () => {
    const { rt, alice } = setup()
    const big = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'x'.repeat(70 * 1024) } })
    expect(await rt.deliver(big)).toMatchObject({ accepted: false, reason: { code: 'oversize' } })
  })

  it('drops messages outside the clock-skew window (replays of old messages)', async () => {
    const { rt, alice, seen } = setup()
    const old = await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: 'hi' } }, { timestamp: Date.now() - MAX_CLOCK_SKEW_MS - 1000 })
    expect(await rt.deliver(old)).toMatchObject({ accepted: false, reason: { code: 'stale' } })
    expect(seen).toHaveLength(0)
  })

  it('rate-limits per sender and kind', async () => {
    const { rt, alice, seen } = setup()
    const outcomes = []
    for (let i = 0; i < 5; i++) outcomes.push(await rt.deliver(await rt.envelopeFrom(alice, { kind: 'echo:shout', payload: { text: `${i}` } })))
    expect(outcomes.filter(o => o.accepted)).toHaveLength(3)
    expect(rt.drops.get('rate-limited')).toBe(2)
    expect(seen).toHaveLength(3)
  })

  it('drops a mesh message addressed to another nara', async () => {
    const rt = new MockRuntime({ name: 'bob' })
    let called = false
    rt.register(meshRequest('echo:say', 'Say').withPayload(TextCodec).withHandler(1, () => { called = true }))
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    rt.trust(alice)
    const envelope = await rt.envelopeFrom(alice, { kind: 'echo:say', to: alice.id, payload: { text: 'hi' } })
    expect(await rt.deliver(envelope)).toMatchObject({ accepted: false, reason: { code: 'not-for-me' } })
    expect(called).toBe(false)
  })

  it('never accepts a local kind from the network', async () => {
    const rt = new MockRuntime({ name: 'bob' })
    let delivered = false
    rt.register(local('echo:inner', 'Inner').withPayload(TextCodec))
    rt.on('echo:inner', () => { delivered = true })
    const alice = Identity.create({ name: 'alice', machineId: 'test' })
    rt.trust(alice)
    const envelope = await rt.envelopeFrom(alice, { kind: 'echo:inner', payload: { text: 'hi' } })
    expect(await rt.deliver(envelope)).toMatchObject({ accepted: false, reason: { code: 'local-kind' } })
    expect(delivered).toBe(false)
  })
})
