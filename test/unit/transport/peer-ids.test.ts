import { describe, expect, it } from 'vitest'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { Identity } from '../../../src/identity/index.js'
import { keyText } from '../../../src/identity/key-text.js'
import { peerIdOfKey } from '../../../src/transport/peer-ids.js'

const alice = Identity.create({ name: 'alice', machineId: 'test' })
const bob = Identity.create({ name: 'bob', machineId: 'test' })

describe('PeerIds and key texts remembered per key array', () => {
  it('gives the same PeerId object for the same array, and the PeerId of the key', () => {
    const key = Uint8Array.from(alice.publicKey)
    const first = peerIdOfKey(key)
    expect(peerIdOfKey(key)).toBe(first)
    expect(first.equals(peerIdFromPublicKey(publicKeyFromRaw(alice.publicKey)))).toBe(true)
  })

  it('does not take an array whose bytes changed for the key it held', () => {
    const key = Uint8Array.from(alice.publicKey)
    expect(peerIdOfKey(key).equals(peerIdOfKey(alice.publicKey))).toBe(true)
    expect(keyText(key)).toBe(Buffer.from(alice.publicKey).toString('hex'))
    key.set(bob.publicKey)
    expect(peerIdOfKey(key).equals(peerIdOfKey(bob.publicKey))).toBe(true)
    expect(keyText(key)).toBe(Buffer.from(bob.publicKey).toString('hex'))
  })

  it('still refuses bytes that are not an Ed25519 key', () => {
    expect(() => peerIdOfKey(new Uint8Array(31))).toThrow('32-byte')
  })
})
