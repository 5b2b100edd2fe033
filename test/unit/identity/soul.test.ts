import { describe, it, expect } from 'vitest'
import { base58btc } from 'multiformats/bases/base58'
import {
  InvalidNameError, InvalidSoulError, bondTag, formatSoul, nativeSoul, parseSoul, randomSoul, readMachineId, soulFromSeed
} from '../../../src/identity/index.js'

function errorOf (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    if (err instanceof Error) return err
  }
  throw new Error('expected a throw')
}

describe('soul', () => {
  it('formatSoul/parseSoul round-trip', () => {
    const soul = randomSoul('fuzzy-otter-07')
    const text = formatSoul(soul)
    const parsed = parseSoul(text, 'fuzzy-otter-07')
    expect(parsed.seed).toEqual(soul.seed)
    expect(parsed.tag).toEqual(soul.tag)
    expect(parseSoul(`  ${text}\n`, 'fuzzy-otter-07').seed).toEqual(soul.seed)
  })

  it('rejects a soul for a different name', () => {
    const text = formatSoul(randomSoul('fuzzy-otter-07'))
    const err = errorOf(() => parseSoul(text, 'sleepy-badger-42'))
    expect(err.name).toBe('InvalidSoulError')
    expect(err).toBeInstanceOf(InvalidSoulError)
    expect(err.message).toBe('this soul belongs to a different name than "sleepy-badger-42"; pass the name it was made for with --name')
  })

  it('rejects garbage that is not base58', () => {
    const err = errorOf(() => parseSoul('not a soul! 0OIl', 'fuzzy-otter-07'))
    expect(err.name).toBe('InvalidSoulError')
    expect(err.message).toMatch(/not a base58 string/)
  })

  it.each([0, 39, 41, 64])('rejects a soul of %i bytes', (length) => {
    const text = base58btc.baseEncode(new Uint8Array(length).fill(7))
    const err = errorOf(() => parseSoul(text, 'fuzzy-otter-07'))
    expect(err.name).toBe('InvalidSoulError')
    expect(err.message).toMatch(/expected 40 bytes/)
  })

  it('rejects a tampered tag', () => {
    const soul = randomSoul('fuzzy-otter-07')
    const tag = Uint8Array.from(soul.tag)
    tag[0] ^= 1
    const err = errorOf(() => parseSoul(formatSoul({ seed: soul.seed, tag }), 'fuzzy-otter-07'))
    expect(err.name).toBe('InvalidSoulError')
  })

  it('rejects an invalid name before looking at the soul', () => {
    const text = formatSoul(randomSoul('fuzzy-otter-07'))
    expect(errorOf(() => parseSoul(text, 'Not Valid')).name).toBe('InvalidNameError')
    expect(() => randomSoul('')).toThrow(InvalidNameError)
  })

  it('soulFromSeed requires 32 bytes', () => {
    expect(errorOf(() => soulFromSeed(new Uint8Array(31), 'a')).name).toBe('InvalidSoulError')
    const soul = soulFromSeed(new Uint8Array(32), 'a')
    expect(soul.tag).toEqual(bondTag(new Uint8Array(32), 'a'))
    expect(soul.tag).toHaveLength(8)
  })

  it('native soul is deterministic per (machine, name) and differs across names and machines', () => {
    const a1 = formatSoul(nativeSoul('fuzzy-otter-07', 'machine-a'))
    const a2 = formatSoul(nativeSoul('fuzzy-otter-07', 'machine-a'))
    expect(a1).toBe(a2)
    expect(formatSoul(nativeSoul('sleepy-badger-42', 'machine-a'))).not.toBe(a1)
    expect(formatSoul(nativeSoul('fuzzy-otter-07', 'machine-b'))).not.toBe(a1)
    expect(nativeSoul('fuzzy-otter-07', 'machine-a').seed).not.toEqual(nativeSoul('sleepy-badger-42', 'machine-a').seed)
  })

  it('native soul defaults to this machine id', () => {
    expect(readMachineId()).not.toBe('')
    expect(formatSoul(nativeSoul('fuzzy-otter-07'))).toBe(formatSoul(nativeSoul('fuzzy-otter-07', readMachineId())))
  })

  it('random souls differ', () => {
    expect(formatSoul(randomSoul('a'))).not.toBe(formatSoul(randomSoul('a')))
  })
})
