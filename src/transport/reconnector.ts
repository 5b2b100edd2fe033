import type { Logger, PeerId } from '@libp2p/interface'

export interface ReconnectorOptions {
  /** dials a peer (libp2p tries the addresses it knows, which presence keeps from the peer's signed announcements) */
  connect(peer: PeerId, options: { signal: AbortSignal }): Promise<void>
  /** the first wait before a retry; each failure doubles it @default 5000 */
  readonly firstRetryMs?: number
  /** the longest wait between two tries @default 60000 */
  readonly maxRetryMs?: number
  /** how long a lost peer is tried before it is given up @default 900000 (15 min) */
  readonly giveUpAfterMs?: number
  /** peers remembered at once; the longest lost are forgotten first @default 64 */
  readonly capacity?: number
  /** how long one dial may take @default 10000 */
  readonly dialTimeoutMs?: number
  /** how often to look for tries that are due @default 1000 */
  readonly intervalMs?: number
  readonly now?: () => number
  readonly log: Logger
}

interface Lost {
  readonly peer: PeerId
  readonly since: number
  waitMs: number
  nextTryAt: number
}

/**
 * Keeps trying to reach naras that fell silent, with growing waits, for some minutes.
 *
 * Once a partition has lasted past presence's silence limit, each side has marked the
 * other offline: the ConnectionKeeper only dials naras it knows online, and libp2p
 * gives up its own redials after about 30 s. Without this, two halves of a swarm that
 * were cut apart for a few minutes never found each other again after the cut healed.
 * One connection across is enough: gossip then carries every announcement over it.
 */
export class Reconnector {
  private readonly lost = new Map<string, Lost>()
  private readonly firstRetryMs: number
  private readonly maxRetryMs: number
  private readonly giveUpAfterMs: number
  private readonly capacity: number
  private readonly dialTimeoutMs: number
  private readonly intervalMs: number
  private readonly now: () => number
  private timer?: ReturnType<typeof setInterval>
  private controller?: AbortController
  private readonly dialing = new Set<string>()

  constructor (private readonly opts: ReconnectorOptions) {
    this.firstRetryMs = opts.firstRetryMs ?? 5_000
    this.maxRetryMs = opts.maxRetryMs ?? 60_000
    this.giveUpAfterMs = opts.giveUpAfterMs ?? 15 * 60_000
    this.capacity = opts.capacity ?? 64
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 10_000
    this.intervalMs = opts.intervalMs ?? 1_000
    this.now = opts.now ?? Date.now
  }

  start (): void {
    if (this.timer !== undefined) return
    this.controller = new AbortController()
    this.timer = setInterval(() => { void this.retryDue() }, this.intervalMs)
    this.timer.unref?.()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.controller?.abort()
    this.lost.clear()
  }

  /** A peer fell silent: try it again from time to time. */
  peerLost (peer: PeerId): void {
    const key = peer.toString()
    if (this.lost.has(key)) return
    const now = this.now()
    this.lost.set(key, { peer, since: now, waitMs: this.firstRetryMs, nextTryAt: now + this.firstRetryMs })
    if (this.lost.size > this.capacity) this.lost.delete(this.lost.keys().next().value as string)
  }

  /** A peer is back (heard from again, or it said goodbye): stop trying it. */
  peerFound (peer: PeerId): void {
    this.lost.delete(peer.toString())
  }

  /** Peers still being tried. */
  get size (): number {
    return this.lost.size
  }

  /** Dials every lost peer whose next try is due; those not back yet wait twice as long next time. */
  async retryDue (): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    const now = this.now()
    const due: Lost[] = []
    for (const [key, entry] of this.lost) {
      if (now - entry.since > this.giveUpAfterMs) {
        this.lost.delete(key)
        this.opts.log('gave up reconnecting to %p after %d ms', entry.peer, now - entry.since)
      } else if (entry.nextTryAt <= now && !this.dialing.has(key)) {
        due.push(entry)
      }
    }
    await Promise.allSettled(due.map(async (entry) => {
      const key = entry.peer.toString()
      this.dialing.add(key)
      entry.waitMs = Math.min(this.maxRetryMs, entry.waitMs * 2)
      entry.nextTryAt = now + entry.waitMs
      try {
        await this.opts.connect(entry.peer, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.dialTimeoutMs)]) })
        this.opts.log('reconnected to %p, lost %d ms ago', entry.peer, this.now() - entry.since)
      } catch (err) {
        this.opts.log('%p still unreachable: %s', entry.peer, (err as Error).message)
      } finally {
        this.dialing.delete(key)
      }
    }))
  }
}
