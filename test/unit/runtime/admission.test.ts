import { describe, expect, it } from 'vitest'
import { Admission, DEFAULT_ADMISSION, Identity, MockRuntime, PresenceService } from '../../../src/index.js'

const LIMITS = { windowMs: 10_000, newIdentities: 3, messages: 6, maxForwarders: 2 }

function clock (): { now: () => number, advance: (ms: number) => void } {
  let t = 1_000_000
  return { now: () => t, advance: (ms) => { t += ms } }
}

describe('admission control per forwarder (fake time)', () => {
  it('admits a forwarder\'s new identities up to the limit per window, then refuses them; known senders still pass', () => {
    const { now } = clock()
    const admission = new Admission(LIMITS, now)
    expect(['a', 'b', 'c'].map(id => admission.admit('f', id))).toEqual([undefined, undefined, undefined])
    expect(admission.admit('f', 'd')).toBe('admission-new-identities')
    expect(admission.admit('f')).toBeUndefined()
    // a second message of a newcomer already admitted (its first still being verified) is not another newcomer
    expect(admission.admit('f', 'a')).toBeUndefined()
  })

  it('refuses a forwarder\'s messages beyond the limit per window, whoever they are from', () => {
    const { now } = clock()
    const admission = new Admission(LIMITS, now)
    for (let i = 0; i < LIMITS.messages; i++) expect(admission.admit('f')).toBeUndefined()
    expect(admission.admit('f')).toBe('admission-rate')
    expect(admission.admit('f', 'new')).toBe('admission-rate')
  })

  it('counts each forwarder on its own', () => {
    const { now } = clock()
    const admission = new Admission(LIMITS, now)
    for (let i = 0; i < LIMITS.newIdentities; i++) admission.admit('f', `n${i}`)
    expect(admission.admit('f', 'x')).toBe('admission-new-identities')
    expect(admission.admit('g', 'x')).toBeUndefined()
  })

  it('opens a fresh window once the last one has run its length, not before', () => {
    const { now, advance } = clock()
    const admission = new Admission(LIMITS, now)
    for (let i = 0; i < LIMITS.newIdentities; i++) admission.admit('f', `n${i}`)
    advance(LIMITS.windowMs - 1)
    expect(admission.admit('f', 'x')).toBe('admission-new-identities')
    advance(1)
    expect(admission.admit('f', 'x')).toBeUndefined()
  })

  it('keeps at most maxForwarders windows: the one begun longest ago is forgotten', () => {
    const { now, advance } = clock()
    const admission = new Admission(LIMITS, now)
    for (const f of ['a', 'b', 'c', 'd']) {
      admission.admit(f, 'n')
      advance(1)
    }
    expect(admission.forwarders).toBe(LIMITS.maxForwarders)
  })

  it('remembers the most one forwarder brought in within one window', () => {
    const { now, advance } = clock()
    const admission = new Admission(LIMITS, now)
    for (const id of ['a', 'b', 'a', 'c']) admission.admit('f', id)
    advance(LIMITS.windowMs)
    admission.admit('f')
    expect(admission.peaks()).toEqual({ messages: 4, newIdentities: 3 })
  })

  it('rejects limits that are not positive integers', () => {
    expect(() => new Admission({ ...DEFAULT_ADMISSION, newIdentities: 0 })).toThrow(/newIdentities must be a positive integer/)
    expect(() => new Admission({ ...DEFAULT_ADMISSION, windowMs: 1.5 })).toThrow(/windowMs must be a positive integer/)
  })
})

describe('admission in the receive pipeline', () => {
  async function runtime (): Promise<MockRuntime> {
    const rt = new MockRuntime({ name: 'gate', admission: { newIdentities: 3, messages: 100 } })
    await rt.install(new PresenceService())
    return rt
  }
  const fresh = (i: number): Identity => Identity.create({ name: `sybil-${i}`, machineId: 'admission-test' })
  const heyThere = { uptimeMs: 1, memoryMode: 'medium', heartbeatMs: 5_000, addresses: [] }

  it('drops hey-theres of new naras a forwarder brings in beyond its limit, counted as admission-new-identities', async () => {
    const rt = await runtime()
    const sybils = Array.from({ length: 5 }, (_, i) => fresh(i))
    const outcomes = []
    for (const s of sybils) {
      outcomes.push(await rt.deliver(await rt.envelopeFrom(s, { kind: 'presence:hey-there', payload: heyThere }), { authenticatedKey: s.publicKey, via: 'forwarder-1' }))
    }
    expect(outcomes.map(o => o.accepted)).toEqual([true, true, true, false, false])
    expect(rt.drops.get('admission-new-identities')).toBe(2)
    expect(rt.keyring.has(sybils[4].id)).toBe(false)
    // what was admitted remembers who brought it in; a nara that came directly is its own origin
    expect(rt.originOf(sybils[0].id)).toBe('forwarder-1')
    const direct = fresh(99)
    expect((await rt.deliver(await rt.envelopeFrom(direct, { kind: 'presence:hey-there', payload: heyThere }), { authenticatedKey: direct.publicKey })).accepted).toBe(true)
    expect(rt.originOf(direct.id)).toBe(direct.id)
    // logged as a warning once for the first drop, not once per drop
    expect(rt.logs.filter(l => l.level === 'warn' && l.msg === 'admission control is dropping messages')).toHaveLength(1)
    // another forwarder has its own budget
    expect((await rt.deliver(await rt.envelopeFrom(sybils[4], { kind: 'presence:hey-there', payload: heyThere }), { authenticatedKey: sybils[4].publicKey, via: 'forwarder-2' })).accepted).toBe(true)
  })
})

describe('admission of a forwarder\'s message rate in the receive pipeline', () => {
  it('drops what one forwarder passes on beyond its messages per window, known senders too, counted as admission-rate', async () => {
    const rt = new MockRuntime({ name: 'rate-gate', admission: { messages: 2 } })
    await rt.install(new PresenceService())
    const senders = [0, 1, 2].map(i => Identity.create({ name: `known-${i}`, machineId: 'admission-test' }))
    for (const s of senders) rt.trust(s)
    const heyThere = { uptimeMs: 1, memoryMode: 'medium', heartbeatMs: 5_000, addresses: [] }
    const outcomes = []
    for (const s of senders) outcomes.push(await rt.deliver(await rt.envelopeFrom(s, { kind: 'presence:hey-there', payload: heyThere }), { authenticatedKey: s.publicKey, via: 'chatty' }))
    expect(outcomes.map(o => o.accepted)).toEqual([true, true, false])
    expect(rt.drops.get('admission-rate')).toBe(1)
  })
})

describe('the keyring under a flood of fresh identities', () => {
  it('forgets the least recently heard naras that are not online, never the online ones', async () => {
    const rt = new MockRuntime({ name: 'flooded', maxKnownNaras: 8, admission: { newIdentities: 1_000 } })
    await rt.install(new PresenceService())
    const friends = [Identity.create({ name: 'friend-a', machineId: 'keyring-test' }), Identity.create({ name: 'friend-b', machineId: 'keyring-test' })]
    for (const f of friends) rt.trust(f)
    rt.setOnlinePeers(friends.map(f => ({ id: f.id, name: f.name, uptimeMs: 1, lastSeen: Date.now(), onlineSince: Date.now() })))
    const heyThere = { uptimeMs: 1, memoryMode: 'medium', heartbeatMs: 5_000, addresses: [] }
    for (let i = 0; i < 20; i++) {
      const s = Identity.create({ name: `flood-${i}`, machineId: 'keyring-test' })
      expect((await rt.deliver(await rt.envelopeFrom(s, { kind: 'presence:hey-there', payload: heyThere }), { authenticatedKey: s.publicKey, via: 'forwarder' })).accepted).toBe(true)
    }
    expect(rt.keyring.size).toBe(8)
    for (const f of friends) expect(rt.keyring.has(f.id)).toBe(true)
    expect(rt.keyring.has(rt.me().id)).toBe(true)
  })
})
