import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryLogger } from '../../../src/index.js'
import { Bootstrapper } from '../../../src/transport/bootstrapper.js'
import { waitFor } from '../../helpers/wait.js'

const ADDRESS = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWEPsYnsWqGr1cNp4j3pgH9mvbdcRr8xb4BvgszzazQV68'
const running: Bootstrapper[] = []
afterEach(() => { for (const b of running.splice(0)) b.stop() })

function unreachable (options: { warnEveryMs: number }): { log: MemoryLogger, dials: () => number, heal: () => void } {
  const log = new MemoryLogger()
  let dials = 0
  let reachable = false
  const bootstrapper = new Bootstrapper({
    list: [ADDRESS],
    dial: async () => {
      dials++
      if (!reachable) throw new Error('connection refused')
    },
    connectedPeers: () => 0,
    log,
    minBackoffMs: 1,
    maxBackoffMs: 2,
    ...options
  })
  running.push(bootstrapper)
  bootstrapper.start()
  return { log, dials: () => dials, heal: () => { reachable = true } }
}

describe('joining through an unreachable bootstrap peer', () => {
  it('warns at the first failure, naming the address and that it keeps retrying; the retries after it are debug', async () => {
    const { log, dials } = unreachable({ warnEveryMs: 3_600_000 })
    await waitFor(() => dials() >= 6, 'six rounds of dials')
    const failures = log.records.filter(r => r.msg.startsWith('cannot reach any bootstrap peer'))
    expect(failures[0].level).toBe('warn')
    expect(failures[0].msg).toContain(ADDRESS)
    expect(failures[0].msg).toMatch(/still trying, with backoff/)
    expect(failures[0].fields.bootstrap).toEqual([`${ADDRESS}: connection refused`])
    expect(failures.slice(1).length).toBeGreaterThanOrEqual(4)
    expect(failures.slice(1).every(r => r.level === 'debug')).toBe(true)
  })

  it('warns again once warnEveryMs has passed, and says when it finally joins', async () => {
    const { log, dials, heal } = unreachable({ warnEveryMs: 0 })
    await waitFor(() => dials() >= 3, 'three rounds of dials')
    heal()
    await waitFor(() => log.records.find(r => r.msg === 'joined the swarm'), 'the join')
    const warned = log.records.filter(r => r.level === 'warn' && r.msg.startsWith('cannot reach any bootstrap peer'))
    expect(warned.length).toBeGreaterThanOrEqual(2)
    expect(log.records.find(r => r.msg === 'joined the swarm')?.fields).toMatchObject({ through: ADDRESS, failedRounds: expect.any(Number) })
  })
})

/** A dial that opens its connection (or not) and finishes its handshake after `handshakeMs` (or never), honouring its signal. */
function slowPeer (opens: boolean, handshakeMs?: number) {
  return async (_address: unknown, { signal, onOpen }: { signal: AbortSignal, onOpen: () => void }): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      if (opens) onOpen()
      const done = handshakeMs === undefined ? undefined : setTimeout(resolve, handshakeMs)
      signal.addEventListener('abort', () => { clearTimeout(done); reject(signal.reason) }, { once: true })
    })
  }
}

function joining (dial: ReturnType<typeof slowPeer>, limits: { openTimeoutMs: number, answerTimeoutMs: number }): MemoryLogger {
  const log = new MemoryLogger()
  const bootstrapper = new Bootstrapper({ list: [ADDRESS], dial, connectedPeers: () => 0, log, minBackoffMs: 60_000, ...limits })
  running.push(bootstrapper)
  bootstrapper.start()
  return log
}

describe('how long a bootstrap dial may take', () => {
  it('waits past the open limit for a bootstrap peer that has the connection but answers late (its accept queue)', async () => {
    const log = joining(slowPeer(true, 300), { openTimeoutMs: 50, answerTimeoutMs: 10_000 })
    await waitFor(() => log.records.find(r => r.msg === 'joined the swarm'), 'the join')
    expect(log.records.filter(r => r.msg.startsWith('cannot reach any bootstrap peer'))).toEqual([])
  })

  it('gives up on a connection that does not open within the open limit, and on one that opens but never answers within the answer limit', async () => {
    const closed = joining(slowPeer(false), { openTimeoutMs: 50, answerTimeoutMs: 10_000 })
    const silent = joining(slowPeer(true), { openTimeoutMs: 10_000, answerTimeoutMs: 50 })
    const failure = (log: MemoryLogger): unknown => log.records.find(r => r.msg.startsWith('cannot reach any bootstrap peer'))?.fields.bootstrap
    await waitFor(() => failure(closed) !== undefined && failure(silent) !== undefined, 'both dials to fail')
    expect(failure(closed)).toEqual([`${ADDRESS}: no connection within 0.05 s`])
    expect(failure(silent)).toEqual([`${ADDRESS}: connected, but no handshake within 0.05 s`])
  })
})

describe('a bootstrap dial that is over', () => {
  afterEach(() => { vi.useRealTimers() })

  it('leaves no timer behind when libp2p reports the connection open after the dial has ended', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let lateOpen: (() => void) | undefined
    const log = joining(async (_address, { onOpen }) => { lateOpen = onOpen }, { openTimeoutMs: 30_000, answerTimeoutMs: 120_000 })
    await vi.advanceTimersByTimeAsync(0)
    expect(log.records.find(r => r.msg === 'joined the swarm')).toBeDefined()
    lateOpen?.()
    expect(vi.getTimerCount()).toBe(0)
  })
})
