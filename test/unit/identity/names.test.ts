import { describe, it, expect } from 'vitest'
import { InvalidNameError, generateName, validateName } from '../../../src/identity/index.js'

describe('names', () => {
  it.each(['a', '7', 'fuzzy-otter-07', 'x'.repeat(32), 'a--b'])('accepts %j', (name) => {
    expect(validateName(name)).toBe(name)
  })

  it.each(['', '-otter', 'Otter', 'otter_1', 'otter 1', 'é', 'x'.repeat(33)])('rejects %j', (name) => {
    expect(() => validateName(name)).toThrow(InvalidNameError)
    expect(() => validateName(name)).toThrow(/use 1-32 lowercase letters, digits or '-'/)
  })

  it('generateName always passes validateName', () => {
    for (let i = 0; i < 2000; i++) {
      const name = generateName()
      expect(validateName(name)).toBe(name)
      expect(name).toMatch(/^[a-z]+-[a-z]+-\d\d$/)
    }
  })

  it('generateName is valid even for edge values of the random source', () => {
    for (const r of [0, 0.5, 0.9999999, 1, -1, Number.NaN]) {
      const name = generateName(() => r)
      expect(validateName(name)).toBe(name)
    }
  })

  it('generateName is deterministic for a given source', () => {
    expect(generateName(() => 0)).toBe(generateName(() => 0))
  })
})
