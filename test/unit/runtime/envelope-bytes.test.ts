import { describe, expect, it } from 'vitest'
import { Identity, verifySignature } from '../../../src/identity/index.js'
import { Envelope, signedBytes, signedPartOf, withSignature } from '../../../src/runtime/message.js'
import { newMessageId } from '../../../src/runtime/emit.js'

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

describe('the signed part of a received envelope', () => {
  it('is the bytes before the trailing signature, exactly what was signed, without encoding again', async () => {
    const signed = signedBytes(envelope)
    const bytes = withSignature(signed, await alice.sign(signed))
    const part = signedPartOf(bytes, Envelope.decode(bytes))
    expect(part).toEqual(signed)
    expect(part.buffer).toBe(bytes.buffer) // a view, not a copy
  })

  it('is encoded again when the signature is not the last field', async () => {
    const signed = signedBytes(envelope)
    const signature = await alice.sign(signed)
    // the signature field first, then the rest: valid protobuf, another byte order
    const reordered = Uint8Array.from([0x52, 64, ...signature, ...signed])
    const decoded = Envelope.decode(reordered)
    expect(signedPartOf(reordered, decoded)).toEqual(signed)
    expect(await verifySignature(alice.publicKey, signedPartOf(reordered, decoded), decoded.signature)).toBe(true)
  })

  it('is encoded again for an envelope decoded from other bytes (a copy)', async () => {
    const signed = signedBytes(envelope)
    const bytes = withSignature(signed, await alice.sign(signed))
    const part = signedPartOf(Uint8Array.from(bytes), Envelope.decode(bytes))
    expect(part).toEqual(signed)
    expect(part.buffer).not.toBe(bytes.buffer)
  })
})

describe('message ids', () => {
  it('are 16 base64url characters and do not repeat, across many draws of randomness', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 2_000; i++) ids.add(newMessageId())
    expect(ids.size).toBe(2_000)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/)
  })
})
