import { describe, expect, it } from 'vitest'
import { Identity, verifySignature } from '../../../src/identity/index.js'
import { Envelope, signedBytes, withSignature } from '../../../src/runtime/message.js'

const alice = Identity.create({ name: 'alice', machineId: 'test' })
const envelope: Envelope = {
  id: 'id-1', kind: 'test:echo', version: 2, fromId: alice.id, fromName: alice.name, toId: 'someone',
  timestamp: 1_700_000_000_000, inReplyTo: 'id-0', payload: Uint8Array.from([1, 2, 3]), signature: new Uint8Array(0)
}

describe('signing an envelope without encoding it twice', () => {
  it('appending the signature gives exactly the protobuf encoding of the signed envelope', async () => {
    const signed = signedBytes(envelope)
    const signature = await alice.sign(signed)
    expect(withSignature(signed, signature)).toEqual(Envelope.encode({ ...envelope, signature: signature as Uint8Array<ArrayBuffer> }))
    expect(Envelope.decode(withSignature(signed, signature)).signature).toEqual(Uint8Array.from(signature))
  })

  it('the cached signing key signs as the libp2p key does (Ed25519 is deterministic), and verifies', async () => {
    const data = signedBytes(envelope)
    const signature = await alice.sign(data)
    expect(Uint8Array.from(signature)).toEqual(Uint8Array.from(await alice.privateKey.sign(data)))
    expect(await verifySignature(alice.publicKey, data, signature)).toBe(true)
    expect(await verifySignature(alice.publicKey, signedBytes({ ...envelope, id: 'id-2' }), signature)).toBe(false)
    expect(await verifySignature(Identity.create({ name: 'bob', machineId: 'test' }).publicKey, data, signature)).toBe(false)
  })
})
