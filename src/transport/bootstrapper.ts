import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../runtime/index.js'
import { OPEN_DIAL_ANSWER_MS, UPGRADE_TIMEOUT_MS } from './constants.js'

export interface BootstrapDialOptions {
  readonly signal: AbortSignal
  /** to be called once the connection is open, before its handshake */
  onOpen(): void
}

export interface BootstrapperOptions {
  /** multiaddrs ending in /p2p/<PeerID> */
  readonly list: readonly string[]
  /** opens a connection to one of them */
  dial(address: Multiaddr, options: BootstrapDialOptions): Promise<void>
  /** called after each successful join (e.g. to find neighbours through the bootstrap peer) */
  joined?(): void
  /** how many peers this node is connected to now */
  connectedPeers(): number
  readonly log: Logger
  /** first retry delay; it doubles after each failed round @default 1000 */
  readonly minBackoffMs?: number
  /** @default 30000 */
  readonly maxBackoffMs?: number
  /** How long a dial may take to open its connection @default UPGRADE_TIMEOUT_MS (30 s) */
  readonly openTimeoutMs?: number
  /**
   * How long an open connection may wait for the bootstrap peer's answer and handshake
   * @default OPEN_DIAL_ANSWER_MS (2 minutes). A busy bootstrap node leaves new
   * connections in its accept queue; giving up on one sends it to the end of the queue.
   */
  readonly answerTimeoutMs?: number
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
  private readonly openTimeoutMs: number
  private readonly answerTimeoutMs: number
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
    this.openTimeoutMs = opts.openTimeoutMs ?? UPGRADE_TIMEOUT_MS
    this.answerTimeoutMs = opts.answerTimeoutMs ?? OPEN_DIAL_ANSWER_MS
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
    this.timer.unref?.()
  }

  /** One dial, given `openTimeoutMs` to open its connection and then `answerTimeoutMs` for the handshake. */
  private async dialWithinLimits (address: Multiaddr, stopped: AbortSignal): Promise<void> {
    const limit = new AbortController()
    const giveUpAfter = (ms: number, what: string): ReturnType<typeof setTimeout> =>
      setTimeout(() => { limit.abort(new Error(`${what} within ${ms / 1000} s`)) }, ms)
    let timer = giveUpAfter(this.openTimeoutMs, 'no connection')
    let settled = false
    const onOpen = (): void => {
      if (settled) return // a late progress event of a dial already over
      clearTimeout(timer)
      timer = giveUpAfter(this.answerTimeoutMs, 'connected, but no handshake')
    }
    try {
      await this.opts.dial(address, { signal: AbortSignal.any([stopped, limit.signal]), onOpen })
    } finally {
      settled = true
      clearTimeout(timer)
    }
  }

  /** Dials every bootstrap address at once; one success is enough. */
  private async tryJoin (): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    if (this.joined && this.opts.connectedPeers() > 0) return
    const results = await Promise.allSettled(this.addresses.map(async (address) => {
      await this.dialWithinLimits(address, controller.signal)
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
