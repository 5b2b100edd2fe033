import { describe, it, expect } from 'vitest'
import {
  Identity, InvalidSoulError, OpenFailedError, deriveSealKey, isNaraIdOf, naraIdOf, nativeSoul, open, randomSoul, seal,
  verifySignature
} from '../../../src/identity/index.js'

const MACHINE = '0123456789abcdef0123456789abcdef'
const data = new TextEncoder().encode('a message worth signing')

describe('Identity', () => {
  it('same name and machine id give the same identity', async () => {
    const a = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const b = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    expect(a.id).toBe(b.id)
    expect(a.publicKey).toEqual(b.publicKey)
    const other = Identity.create({ name: 'fuzzy-otter-07', machineId: 'another-machine' })
    expect(other.id).not.toBe(a.id)
  })

  it('a soul string gives the same identity on any machine', async () => {
    const home = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const away = Identity.create({ name: 'fuzzy-otter-07', soul: home.soulString(), machineId: 'elsewhere' })
    expect(away.id).toBe(home.id)
    expect(away.soulString()).toBe(home.soulString())
  })

  it('without a name, takes this machine\'s generated name: the same nara at every start', async () => {
    const identity = Identity.create({ machineId: MACHINE })
    expect(identity.name).toMatch(/^[a-z]+-[a-z]+-\d\d$/)
    expect(isNaraIdOf(identity.id, identity.publicKey, identity.name)).toBe(true)
    expect(Identity.create({ machineId: MACHINE }).id).toBe(identity.id)
    expect(Identity.create({ machineId: 'another-machine' }).name).not.toBe(identity.name)
  })

  it('rejects a soul under another name', async () => {
    const soul = randomSoul('fuzzy-otter-07')
    expect(() => Identity.fromSoul(soul, 'sleepy-badger-42')).toThrow(InvalidSoulError)
    expect(() => Identity.create({ name: 'sleepy-badger-42', soul: Identity.fromSoul(soul, 'fuzzy-otter-07').soulString() }))
      .toThrow(expect.objectContaining({ name: 'InvalidSoulError' }))
  })

  it('its key is the libp2p key and the NaraID is self-certifying', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    expect(identity.privateKey.type).toBe('Ed25519')
    expect(identity.publicKey).toHaveLength(32)
    expect(identity.id).toBe(naraIdOf(identity.publicKey, identity.name))
    expect(identity.toKnown()).toEqual({ id: identity.id, name: identity.name, publicKey: identity.publicKey })
  })

  it('NaraID check fails for another name or another key', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const other = Identity.create({ name: 'fuzzy-otter-07', machineId: 'another-machine' })
    expect(isNaraIdOf(identity.id, identity.publicKey, 'fuzzy-otter-08')).toBe(false)
    expect(isNaraIdOf(identity.id, other.publicKey, identity.name)).toBe(false)
    expect(isNaraIdOf(identity.id, new Uint8Array(5), identity.name)).toBe(false)
    expect(isNaraIdOf(identity.id, identity.publicKey, 'Bad Name')).toBe(false)
  })

  it('does not leak its soul when serialised', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    expect(JSON.parse(JSON.stringify(identity))).toEqual({ name: identity.name, id: identity.id })
  })
})

describe('sign / verify', () => {
  it('verifies a good signature and rejects a flipped bit', async () => {
    const identity = Identity.fromSoul(nativeSoul('fuzzy-otter-07', MACHINE), 'fuzzy-otter-07')
    const signature = await identity.sign(data)
    expect(signature).toHaveLength(64)
    expect(await verifySignature(identity.publicKey, data, signature)).toBe(true)

    const badSig = Uint8Array.from(signature)
    badSig[10] ^= 0x01
    expect(await verifySignature(identity.publicKey, data, badSig)).toBe(false)

    const badData = Uint8Array.from(data)
    badData[0] ^= 0x80
    expect(await verifySignature(identity.publicKey, badData, signature)).toBe(false)

    const other = Identity.fromSoul(randomSoul('fuzzy-otter-07'), 'fuzzy-otter-07')
    expect(await verifySignature(other.publicKey, data, signature)).toBe(false)
  })

  it('returns false, never throws, on garbage keys and signatures', async () => {
    const identity = Identity.fromSoul(randomSoul('a'), 'a')
    const signature = await identity.sign(data)
    expect(await verifySignature(new Uint8Array(0), data, signature)).toBe(false)
    expect(await verifySignature(new Uint8Array(33).fill(2), data, signature)).toBe(false)
    expect(await verifySignature(new Uint8Array(32).fill(0xff), data, signature)).toBe(false)
    expect(await verifySignature(new Uint8Array(32), data, signature)).toBe(false)
    expect(await verifySignature(identity.publicKey, data, new Uint8Array(0))).toBe(false)
    expect(await verifySignature(identity.publicKey, data, new Uint8Array(64).fill(0xff))).toBe(false)
  })

  it('keeps verifying correctly after the key cache wraps', async () => {
    const identity = Identity.fromSoul(randomSoul('a'), 'a')
    const signature = await identity.sign(data)
    for (let i = 0; i < 1100; i++) {
      const junk = new Uint8Array(32)
      new DataView(junk.buffer).setUint32(0, i)
      await verifySignature(junk, data, signature)
    }
    expect(await verifySignature(identity.publicKey, data, signature)).toBe(true)
  })
})

describe('seal / open', () => {
  const plaintext = new TextEncoder().encode('my little secret state')

  it('round-trips with fresh random nonces', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const a = identity.seal(plaintext)
    const b = identity.seal(plaintext)
    expect(a.nonce).toHaveLength(24)
    expect(a.nonce).not.toEqual(b.nonce)
    expect(a.ciphertext).not.toEqual(b.ciphertext)
    expect(identity.open(a)).toEqual(plaintext)
    expect(identity.open(b)).toEqual(plaintext)
  })

  it('opens on another machine given the soul', async () => {
    const home = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const away = Identity.create({ name: 'fuzzy-otter-07', soul: home.soulString() })
    expect(away.open(home.seal(plaintext))).toEqual(plaintext)
  })

  it('fails for another owner', async () => {
    const owner = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const other = Identity.create({ name: 'sleepy-badger-42', machineId: MACHINE })
    const sealed = owner.seal(plaintext)
    expect(() => other.open(sealed)).toThrow(OpenFailedError)
    try {
      other.open(sealed)
    } catch (err) {
      expect((err as Error).name).toBe('OpenFailedError')
      expect((err as Error).message).toBe('cannot open stash: wrong key, wrong owner or tampered ciphertext')
    }
  })

  it('fails under another owner id even with the right key (the id is bound as AAD)', async () => {
    const owner = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const other = Identity.create({ name: 'sleepy-badger-42', machineId: MACHINE })
    const key = deriveSealKey(owner.soul.seed)
    const sealed = seal(key, owner.id, plaintext)
    expect(open(key, owner.id, sealed)).toEqual(plaintext)
    expect(() => open(key, other.id, sealed)).toThrow(OpenFailedError)
    expect(() => open(deriveSealKey(other.soul.seed), owner.id, sealed)).toThrow(OpenFailedError)
  })

  it('fails on a 1-bit flip anywhere in the ciphertext or nonce', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const sealed = identity.seal(plaintext)
    for (let i = 0; i < sealed.ciphertext.length; i++) {
      const ciphertext = Uint8Array.from(sealed.ciphertext)
      ciphertext[i] ^= 1 << (i % 8)
      expect(() => identity.open({ nonce: sealed.nonce, ciphertext })).toThrow(OpenFailedError)
    }
    const nonce = Uint8Array.from(sealed.nonce)
    nonce[23] ^= 0x01
    expect(() => identity.open({ nonce, ciphertext: sealed.ciphertext })).toThrow(OpenFailedError)
  })

  it('fails on a bad nonce length or truncated ciphertext', async () => {
    const identity = Identity.create({ name: 'fuzzy-otter-07', machineId: MACHINE })
    const sealed = identity.seal(plaintext)
    expect(() => identity.open({ nonce: sealed.nonce.subarray(0, 12), ciphertext: sealed.ciphertext })).toThrow(OpenFailedError)
    expect(() => identity.open({ nonce: sealed.nonce, ciphertext: sealed.ciphertext.subarray(0, 10) })).toThrow(OpenFailedError)
    expect(() => identity.open({ nonce: sealed.nonce, ciphertext: new Uint8Array(0) })).toThrow(OpenFailedError)
  })
})
