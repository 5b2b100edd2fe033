import type { Logger, PeerId } from '@libp2p/interface'

export interface ConnectionKeeperOptions {
  /** the peers this node is connected to now */
  connected(): PeerId[]
  /** naras this node knows are online (from verified presence), as PeerIds */
  candidates(): PeerId[]
  /** opens a connection (peer routing finds the addresses when none are known) */
  connect(peer: PeerId, options: { signal: AbortSignal }): Promise<void>
  /** connections to keep at least @default 6 */
  readonly target?: number
  /** how often to look @default 5000 */
  readonly intervalMs?: number
  /** how long one dial may take @default 10000 */
  readonly dialTimeoutMs?: number
  readonly log: Logger
}

/**
 * Keeps a node connected to a few naras picked at random among those it knows
 * online, so gossip has a mesh to travel on (libp2p v3 has no autodialer). Only
 * the shortfall is dialed: a node has about `target` connections whatever the
 * swarm's size, rather than one to every nara.
 */
export class ConnectionKeeper {
  private readonly target: number
  private readonly intervalMs: number
  private readonly dialTimeoutMs: number
  private timer?: ReturnType<typeof setInterval>
  private controller?: AbortController
  private topping = false

  constructor (private readonly opts: ConnectionKeeperOptions) {
    this.target = opts.target ?? 6
    this.intervalMs = opts.intervalMs ?? 5_000
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 10_000
  }

  start (): void {
    if (this.timer !== undefined) return
    this.controller = new AbortController()
    this.timer = setInterval(() => { void this.topUp() }, this.intervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.controller?.abort()
  }

  /** Dials random known naras until `target` peers are connected (one round at a time). */
  async topUp (): Promise<void> {
    const controller = this.controller
    if (this.topping || controller === undefined) return
    this.topping = true
    try {
      const connected = new Set(this.opts.connected().map(p => p.toString()))
      const missing = this.target - connected.size
      if (missing <= 0) return
      const choices = shuffle(this.opts.candidates().filter(p => !connected.has(p.toString()))).slice(0, missing)
      await Promise.allSettled(choices.map(async (peer) => {
        try {
          await this.opts.connect(peer, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.dialTimeoutMs)]) })
        } catch (err) {
          this.opts.log('could not connect to %p: %s', peer, (err as Error).message)
        }
      }))
    } finally {
      this.topping = false
    }
  }
}

function shuffle<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
