import { afterEach, describe, expect, it, vi } from 'vitest'
import { QuietTimer } from '../../../src/transport/quiet-timer.js'

describe('QuietTimer', () => {
  afterEach(() => { vi.useRealTimers() })

  it('fires after the quiet time, counted from the last restart, and says it expired', () => {
    vi.useFakeTimers()
    const timer = new QuietTimer(100, new AbortController().signal)
    vi.advanceTimersByTime(80)
    timer.restart(100)
    vi.advanceTimersByTime(80)
    expect(timer.signal.aborted).toBe(false)
    vi.advanceTimersByTime(30)
    expect(timer.signal.aborted).toBe(true)
    expect(timer.expired).toBe(true)
  })

  it('takes a new duration on restart, and does not count while paused', () => {
    vi.useFakeTimers()
    const timer = new QuietTimer(10, new AbortController().signal)
    timer.restart(200)
    vi.advanceTimersByTime(150)
    timer.pause()
    vi.advanceTimersByTime(1_000)
    expect(timer.signal.aborted).toBe(false)
    timer.restart(200)
    vi.advanceTimersByTime(199)
    expect(timer.signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(timer.expired).toBe(true)
  })

  it('aborts with the parent, without counting as expired, and stop detaches it', () => {
    vi.useFakeTimers()
    const parent = new AbortController()
    const timer = new QuietTimer(100, parent.signal)
    parent.abort(new Error('stopping'))
    expect(timer.signal.aborted).toBe(true)
    expect(timer.expired).toBe(false)
    expect((timer.signal.reason as Error).message).toBe('stopping')

    const other = new AbortController()
    const stopped = new QuietTimer(100, other.signal)
    stopped.stop()
    other.abort()
    vi.advanceTimersByTime(200)
    expect(stopped.signal.aborted).toBe(false)
  })
})
