import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Recovery, type OpenedCopy } from '../../../src/services/stash/recovery.js'
import type { SealedConfidant } from '../../../src/services/stash/sealed.js'

const confidant = (id: string): SealedConfidant => ({ id, name: id, publicKey: new Uint8Array(32) })
const [c1, c2, c3] = ['c1', 'c2', 'c3'].map(confidant)
const copyFrom = (from: SealedConfidant, version: number, holders: SealedConfidant[]): OpenedCopy =>
  ({ from: { id: from.id, name: from.name }, version, data: new Uint8Array([version]), confidants: holders, sealed: { nonce: new Uint8Array(24), ciphertext: new Uint8Array([version]) } })

describe('Recovery: when the gathering ends', () => {
  let finished: OpenedCopy[][]
  let recovery: Recovery

  beforeEach(() => {
    // Fake timers: no deadline or quiet window can fire unless the test advances the clock, and none does.
    vi.useFakeTimers()
    finished = []
    recovery = new Recovery({ recoveryDeadlineMs: 60_000 }, async (copies) => { finished.push(copies) })
    recovery.begin()
  })
  afterEach(() => { vi.useRealTimers() })

  it('the first copy names the confidants still to ask; the last answer ends it at once', () => {
    expect(recovery.answer('c1', copyFrom(c1, 7, [c1, c2, c3]))).toEqual([c2, c3])
    expect(recovery.answer('c2', copyFrom(c2, 7, [c1, c2, c3]))).toEqual([])
    expect(finished).toEqual([])
    recovery.failed('c3')
    expect(finished).toHaveLength(1)
    expect(finished[0].map(c => c.from.id).sort()).toEqual(['c1', 'c2'])
  })

  it('a confidant asked once is not asked again when another copy names it', () => {
    expect(recovery.answer('c1', copyFrom(c1, 7, [c1, c2, c3]))).toEqual([c2, c3])
    expect(recovery.answer('c2', copyFrom(c2, 7, [c1, c2, c3]))).toEqual([])
    expect(recovery.collecting).toBe(true)
  })

  it('a newer version replaces the list of whom to expect', () => {
    const c4 = confidant('c4')
    expect(recovery.answer('c1', copyFrom(c1, 7, [c1, c2]))).toEqual([c2])
    expect(recovery.answer('c4', copyFrom(c4, 8, [c4, c3]))).toEqual([c3])
    recovery.failed('c3')
    expect(finished).toHaveLength(1)
  })

  it('answers without a usable copy do not end it: with no copy it waits for the deadline', async () => {
    recovery.answer('c1')
    recovery.failed('c2')
    expect(finished).toEqual([])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(finished).toEqual([[]])
  })

  it('nothing is taken after it ended', () => {
    recovery.answer('c1', copyFrom(c1, 7, [c1]))
    expect(finished).toHaveLength(1)
    expect(recovery.answer('c2', copyFrom(c2, 9, [c2, c3]))).toEqual([])
    expect(finished).toHaveLength(1)
  })
})
