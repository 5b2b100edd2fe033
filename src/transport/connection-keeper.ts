import type { Logger, PeerId } from '@libp2p/interface'

export interface ConnectionKeeperOptions {
  /** the peers this node is connected to now */
  connected(): PeerId[]
  /** naras this node knows are online (from verified presence), as PeerIds */
  candidates(): PeerId[]
  /** opens a connection (peer routing finds the addresses when none are known) */
  connect(peer: PeerId, options: { signal: AbortSignal }): Promise<void>
  /** connections to keep at least @default 4 */
  readonly target?: number
  /** how often to look @default 5000 */
  readonly intervalMs?: number
  /** how long one dial may take @default 10000 */
  readonly dialTimeoutMs?: number
  readonly log: Logger
}

/** Peers suggested by peer routing kept as candidates, newest first. */
const MAX_SUGGESTED = 64

/**
 * Keeps a node connected to a few naras picked at random among those it knows
 * online (or, before it knows any, among the neighbours peer routing suggested),
 * so gossip has a mesh to travel on (libp2p v3 has no autodialer). Only the
 * shortfall is dialed: a node has about `target` connections whatever the swarm's
 * size, rather than one to every nara.
 */
export class ConnectionKeeper {
  private readonly target: number
  private readonly intervalMs: number
  private readonly dialTimeoutMs: number
  private timer?: ReturnType<typeof setInterval>
  private controller?: AbortController
  private topping = false
  /** a top-up was asked for while one was running: run again when it ends */
  private again = false
  private suggested: PeerId[] = []

  constructor (private readonly opts: ConnectionKeeperOptions) {
    this.target = opts.target ?? 4
    this.intervalMs = opts.intervalMs ?? 5_000
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 10_000
  }

  start (): void {
    if (this.timer !== undefined) return
    this.controller = new AbortController()
    this.timer = setInterval(() => { void this.topUp() }, this.intervalMs)
    this.timer.unref?.()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.controller?.abort()
  }

  /** Adds candidates found outside presence (a join's DHT neighbours) and tops up at once. */
  async suggest (peers: PeerId[]): Promise<void> {
    const known = new Set(peers.map(p => p.toString()))
    this.suggested = [...peers, ...this.suggested.filter(p => !known.has(p.toString()))].slice(0, MAX_SUGGESTED)
    await this.topUp()
  }

  /**
   * Dials random known naras until `target` peers are connected. One round runs at a
   * time; asking during a round (a connection closed meanwhile) runs one more after it.
   */
  async topUp (): Promise<void> {
    const controller = this.controller
    if (controller === undefined) return
    if (this.topping) {
      this.again = true
      return
    }
    this.topping = true
    try {
      do {
        this.again = false
        await this.round(controller)
      } while (this.again && !controller.signal.aborted)
    } finally {
      this.topping = false
    }
  }

  private async round (controller: AbortController): Promise<void> {
    const connected = new Set(this.opts.connected().map(p => p.toString()))
    const missing = this.target - connected.size
    if (missing <= 0) return
    const online = shuffle(this.opts.candidates().filter(p => !connected.has(p.toString())))
    const choices = [...online, ...shuffle(this.suggested.filter(p => !connected.has(p.toString())))].slice(0, missing)
    await Promise.allSettled(choices.map(async (peer) => {
      try {
        await this.opts.connect(peer, { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(this.dialTimeoutMs)]) })
      } catch (err) {
        this.opts.log('could not connect to %p: %s', peer, (err as Error).message)
      }
    }))
  }
}

function shuffle<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
