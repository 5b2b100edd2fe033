import { describe, it, expect } from 'vitest'
import { Identity, Keyring } from '../../../src/identity/index.js'
import type { KnownNara } from '../../../src/identity/index.js'

async function known (name: string): Promise<KnownNara> {
  return (Identity.create({ name, machineId: 'keyring-test' })).toKnown()
}

describe('Keyring', () => {
  it('remembers verified naras', async () => {
    const ring = new Keyring()
    const a = await known('otter-a')
    ring.remember(a)
    expect(ring.has(a.id)).toBe(true)
    expect(ring.get(a.id)).toEqual(a)
    expect(ring.size).toBe(1)
    ring.remember(a)
    expect(ring.size).toBe(1)
  })

  it('rejects an id that is not derived from the key and name', async () => {
    const ring = new Keyring()
    const a = await known('otter-a')
    const b = await known('otter-b')
    expect(() => ring.remember({ ...a, name: 'otter-b' })).toThrow(/not derived from its public key and name/)
    expect(() => ring.remember({ ...a, publicKey: b.publicKey })).toThrow(Error)
    expect(() => ring.remember({ ...a, id: b.id })).toThrow(Error)
    expect(ring.size).toBe(0)
  })

  it('evicts the least recently remembered or used nara when full', async () => {
    const ring = new Keyring(2)
    const [a, b, c, d] = await Promise.all(['otter-a', 'otter-b', 'otter-c', 'otter-d'].map(known))
    ring.remember(a)
    ring.remember(b)
    ring.remember(c)
    expect(ring.size).toBe(2)
    expect(ring.has(a.id)).toBe(false)
    expect(ring.has(b.id)).toBe(true)

    ring.get(b.id) // b is now more recently used than c
    ring.remember(d)
    expect(ring.has(b.id)).toBe(true)
    expect(ring.has(c.id)).toBe(false)
    expect(ring.has(d.id)).toBe(true)
  })

  it('rejects a nonsensical size', () => {
    expect(() => new Keyring(0)).toThrow(RangeError)
  })

  it('when full, passes over the naras it must keep and forgets the oldest of the others', async () => {
    const [a, b, c, d] = await Promise.all(['keep-a', 'keep-b', 'keep-c', 'keep-d'].map(known))
    const ring = new Keyring(3, (id) => id === a.id)
    for (const n of [a, b, c, d]) ring.remember(n)
    expect([a, b, c, d].map(n => ring.has(n.id))).toEqual([true, false, true, true])
  })
})
