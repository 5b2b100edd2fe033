import { createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, sign as nodeSign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import {
  Identity, bondTag, deriveIdentityKey, deriveSealKey, formatSoul, naraIdOf, nativeSoul, open, parseSoul, seal, soulFromSeed
} from '../../../src/identity/index.js'
import { base58Encode, hchacha20, xchachaEncrypt } from './reference.js'

interface Vectors {
  identity: { seedHex: string, name: string, bondTagHex: string, soul: string, ed25519SeedHex: string, publicKeyHex: string, naraId: string }
  nativeSoul: { machineId: string, name: string, seedHex: string, soul: string }
  seal: { sealKeyHex: string, ownerId: string, nonceHex: string, plaintext: string, ciphertextHex: string }
}

const v = JSON.parse(readFileSync(new URL('../../../protocols/vectors/identity.json', import.meta.url), 'utf8')) as Vectors

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'))
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const nodeHkdf = (ikm: Uint8Array, salt: string, info: string): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', ikm, utf8(salt), utf8(info), 32))

const PKCS8_ED25519_PREFIX = bytes('302e020100300506032b657004220420')

function nodeEd25519Key (seed: Uint8Array): ReturnType<typeof createPrivateKey> {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

describe('identity vectors: nara implementation', () => {
  const seed = bytes(v.identity.seedHex)

  it('seed is bytes 0x00..0x1f', () => {
    expect(Array.from(seed)).toEqual(Array.from({ length: 32 }, (_, i) => i))
  })

  it('bond tag, soul string, key and NaraID', async () => {
    const soul = soulFromSeed(seed, v.identity.name)
    expect(hex(bondTag(seed, v.identity.name))).toBe(v.identity.bondTagHex)
    expect(formatSoul(soul)).toBe(v.identity.soul)
    const key = deriveIdentityKey(seed)
    expect(hex(key.publicKey.raw)).toBe(v.identity.publicKeyHex)
    expect(naraIdOf(key.publicKey.raw, v.identity.name)).toBe(v.identity.naraId)

    const identity = Identity.create({ name: v.identity.name, soul: v.identity.soul })
    expect(identity.id).toBe(v.identity.naraId)
    expect(hex(identity.publicKey)).toBe(v.identity.publicKeyHex)
    expect(hex(parseSoul(v.identity.soul, v.identity.name).seed)).toBe(v.identity.seedHex)
  })

  it('native soul', () => {
    const soul = nativeSoul(v.nativeSoul.name, v.nativeSoul.machineId)
    expect(hex(soul.seed)).toBe(v.nativeSoul.seedHex)
    expect(formatSoul(soul)).toBe(v.nativeSoul.soul)
  })

  it('seal key and ciphertext', () => {
    const key = deriveSealKey(seed)
    expect(hex(key)).toBe(v.seal.sealKeyHex)
    expect(v.seal.ownerId).toBe(v.identity.naraId)
    const sealed = seal(key, v.seal.ownerId, utf8(v.seal.plaintext), bytes(v.seal.nonceHex))
    expect(hex(sealed.ciphertext)).toBe(v.seal.ciphertextHex)
    const opened = open(key, v.seal.ownerId, { nonce: bytes(v.seal.nonceHex), ciphertext: bytes(v.seal.ciphertextHex) })
    expect(new TextDecoder().decode(opened)).toBe(v.seal.plaintext)
  })
})

describe('identity vectors: independent cross-check with node:crypto', () => {
  const seed = bytes(v.identity.seedHex)

  it('bond tag = HMAC-SHA256(seed, "nara:name:v2:" + name)[0..8]', () => {
    const mac = createHmac('sha256', seed).update(utf8('nara:name:v2:' + v.identity.name)).digest()
    expect(hex(mac.subarray(0, 8))).toBe(v.identity.bondTagHex)
  })

  it('soul string = base58(seed || tag)', () => {
    const raw = Buffer.concat([seed, bytes(v.identity.bondTagHex)])
    expect(base58Encode(raw)).toBe(v.identity.soul)
  })

  it('Ed25519 seed by HKDF and public key by node', () => {
    const edSeed = nodeHkdf(seed, 'nara:identity:v1', 'ed25519')
    expect(hex(edSeed)).toBe(v.identity.ed25519SeedHex)
    const spki = createPublicKey(nodeEd25519Key(edSeed)).export({ format: 'der', type: 'spki' })
    expect(hex(spki.subarray(spki.length - 32))).toBe(v.identity.publicKeyHex)
  })

  it('signatures match node Ed25519 (deterministic)', async () => {
    const identity = Identity.create({ name: v.identity.name, soul: v.identity.soul })
    const data = utf8('nara vector message')
    const expected = nodeSign(null, data, nodeEd25519Key(bytes(v.identity.ed25519SeedHex)))
    expect(hex(await identity.sign(data))).toBe(hex(expected))
  })

  it('NaraID = base58(SHA-256("nara:id:v1" || len || name || publicKey)[0..20])', () => {
    const name = utf8(v.identity.name)
    const digest = createHash('sha256')
      .update(utf8('nara:id:v1')).update(Uint8Array.of(name.length)).update(name).update(bytes(v.identity.publicKeyHex))
      .digest()
    expect(base58Encode(digest.subarray(0, 20))).toBe(v.identity.naraId)
  })

  it('native soul seed by HKDF', () => {
    const nativeSeed = nodeHkdf(utf8(v.nativeSoul.machineId), 'nara:soul:native:v1', v.nativeSoul.name)
    expect(hex(nativeSeed)).toBe(v.nativeSoul.seedHex)
    const tag = createHmac('sha256', nativeSeed).update(utf8('nara:name:v2:' + v.nativeSoul.name)).digest().subarray(0, 8)
    expect(base58Encode(Buffer.concat([nativeSeed, tag]))).toBe(v.nativeSoul.soul)
  })

  it('seal key by HKDF', () => {
    expect(hex(nodeHkdf(seed, 'nara:stash:v1', 'symmetric'))).toBe(v.seal.sealKeyHex)
  })

  it('reference HChaCha20 matches draft-irtf-cfrg-xchacha-03 §2.2.1', () => {
    const key = bytes('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    const nonce = bytes('000000090000004a0000000031415927')
    expect(hex(hchacha20(key, nonce))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc')
  })

  it('ciphertext = XChaCha20-Poly1305 via HChaCha20 + node chacha20-poly1305', () => {
    const ciphertext = xchachaEncrypt(bytes(v.seal.sealKeyHex), bytes(v.seal.nonceHex), utf8(v.seal.ownerId), utf8(v.seal.plaintext))
    expect(hex(ciphertext)).toBe(v.seal.ciphertextHex)
  })
})
