import { describe, expect, it } from 'vitest'
import { PeerLimiter } from '../../../src/transport/peer-limiter.js'

describe('PeerLimiter', () => {
  it('hands out free slots at once, then none, and a freed slot goes to the first waiter, not to a newcomer', async () => {
    const limiter = new PeerLimiter(2)
    const a = limiter.tryAcquire('p')
    const b = limiter.tryAcquire('p')
    expect(a).toBeDefined()
    expect(b).toBeDefined()
    expect(limiter.tryAcquire('p')).toBeUndefined()
    expect(limiter.tryAcquire('q')).toBeDefined() // per key

    const order: string[] = []
    const first = limiter.acquire('p').then((release) => { order.push('first'); return release })
    const second = limiter.acquire('p').then((release) => { order.push('second'); return release })
    expect(limiter.load('p')).toBe(4)
    a?.()
    a?.() // idempotent
    expect(limiter.tryAcquire('p')).toBeUndefined() // the slot passed to the waiter
    ;(await first)()
    b?.()
    ;(await second)()
    expect(order).toEqual(['first', 'second'])
    expect(limiter.load('p')).toBe(0)
  })

  it('a waiter whose signal aborts leaves the queue', async () => {
    const limiter = new PeerLimiter(1)
    const release = limiter.tryAcquire('p')
    const controller = new AbortController()
    const waiting = limiter.acquire('p', controller.signal)
    controller.abort(new Error('deadline'))
    await expect(waiting).rejects.toThrow('deadline')
    expect(limiter.load('p')).toBe(1)
    release?.()
    expect(limiter.load('p')).toBe(0)
  })
})
