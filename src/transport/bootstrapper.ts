import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../runtime/index.js'

export interface BootstrapperOptions {
  /** multiaddrs ending in /p2p/<PeerID> */
  readonly list: readonly string[]
  /** opens a connection to one of them */
  dial(address: Multiaddr, options: { signal: AbortSignal }): Promise<void>
  /** called after each successful join (e.g. to find neighbours through the bootstrap peer) */
  joined?(): void
  /** how many peers this node is connected to now */
  connectedPeers(): number
  readonly log: Logger
  /** first retry delay; it doubles after each failed round @default 1000 */
  readonly minBackoffMs?: number
  /** @default 30000 */
  readonly maxBackoffMs?: number
  /**
   * How long one dial may take @default 30000. Joining is all a new node can do, and
   * in a burst of joins a bootstrap node answers slowly: giving up early throws away
   * the handshake both sides have half done and makes the burst longer.
   */
  readonly dialTimeoutMs?: number
  /**
   * While it cannot join, the first failed round is warned and then one every this
   * long (the rounds between are debug): an operator learns of it without a warning
   * per retry @default 60000
   */
  readonly warnEveryMs?: number
}

/**
 * Joins the swarm through the bootstrap addresses and keeps trying until it has.
 * libp2p's bootstrap module dials once: a dial lost in a burst of joins (or a
 * bootstrap node that is not up yet) left the node alone for good. Here a failed
 * round is retried with exponential backoff, warned at first and then now and then;
 * a node that loses every connection later goes back to its bootstrap peers.
 */
export class Bootstrapper {
  private readonly addresses: Multiaddr[]
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly dialTimeoutMs: number
  private readonly warnEveryMs: number
  /** when the last failed round was warned; undefined since the last join */
  private warnedAt?: number
  private failedRounds = 0
  private controller?: AbortController
  private timer?: ReturnType<typeof setTimeout>
  private backoffMs: number
  private round?: Promise<void>
  private joined = false

  constructor (private readonly opts: BootstrapperOptions) {
    this.addresses = opts.list.map(a => multiaddr(a))
    this.minBackoffMs = opts.minBackoffMs ?? 1_000
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 30_000
    this.warnEveryMs = opts.warnEveryMs ?? 60_000
    this.backoffMs = this.minBackoffMs
  }

  start (): void {
    if (this.addresses.length === 0 || this.controller !== undefined) return
    this.controller = new AbortController()
    this.schedule(0)
  }

  stop (): void {
    this.controller?.abort()
    this.controller = undefined
    clearTimeout(this.timer)
  }

  /** Call when the node lost a connection: with none left it goes back to its bootstrap peers. */
  connectionClosed (): void {
    if (this.controller === undefined || this.round !== undefined || this.opts.connectedPeers() > 0) return
    this.opts.log.warn('lost every connection; rejoining through the bootstrap peers')
    this.joined = false
    this.backoffMs = this.minBackoffMs
    this.schedule(0)
  }

  private schedule (ms: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.round = this.tryJoin().finally(() => { this.round = undefined }) }, ms)
    this.timer.unref()
  }

  /** Dials every bootstrap address at once; one success is enough. */
  private async tryJoin (): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    if (this.joined && this.opts.connectedPeers() > 0) return
    const results = await Promise.allSettled(this.addresses.map(async (address) => {
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.dialTimeoutMs)])
      await this.opts.dial(address, { signal })
      return address
    }))
    if (controller.signal.aborted) return
    const reached = results.find((r): r is PromiseFulfilledResult<Multiaddr> => r.status === 'fulfilled')
    if (reached !== undefined) {
      this.opts.log.info('joined the swarm', { through: reached.value.toString(), ...(this.failedRounds > 0 ? { failedRounds: this.failedRounds } : {}) })
      this.joined = true
      this.backoffMs = this.minBackoffMs
      this.warnedAt = undefined
      this.failedRounds = 0
      this.opts.joined?.()
      return
    }
    this.failedRounds++
    const why = results.map((r, i) => `${this.addresses[i].toString()}: ${(r as PromiseRejectedResult).reason?.message ?? 'failed'}`)
    const now = Date.now()
    const warn = this.warnedAt === undefined || now - this.warnedAt >= this.warnEveryMs
    if (warn) this.warnedAt = now
    const maxBackoffS = Math.round(this.maxBackoffMs / 1000)
    this.opts.log[warn ? 'warn' : 'debug'](
      `cannot reach any bootstrap peer (${this.addresses.join(', ')}); still trying, with backoff up to ${maxBackoffS} s`,
      { bootstrap: why, failedRounds: this.failedRounds, nextRetryMs: this.backoffMs })
    this.schedule(this.backoffMs)
    this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2)
  }
}
