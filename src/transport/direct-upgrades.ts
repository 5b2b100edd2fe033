/** What became of a relayed peer: DCUtR (or a plain dial) reached it directly, or it stayed relayed. */
export type DirectUpgradeOutcome = 'direct' | 'relayed'

export interface DirectUpgradeOptions {
  /** how long after the relayed connection opened a direct one still counts as the upgrade's */
  windowMs: number
  /** whether the peer has a direct (not relayed) connection now */
  hasDirect: (peer: string) => boolean
  onOutcome: (outcome: DirectUpgradeOutcome) => void
}

/**
 * Counts what DCUtR achieves. libp2p's DCUtR reports nothing, so this watches the
 * connections: a peer first reached through a relay either gets a direct connection
 * within the window (the hole punch, or a unilateral dial, worked) or it does not.
 */
export class DirectUpgrades {
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>()

  constructor (private readonly opts: DirectUpgradeOptions) {}

  relayedOpened (peer: string): void {
    if (this.pending.has(peer) || this.opts.hasDirect(peer)) return
    const timer = setTimeout(() => { this.settle(peer) }, this.opts.windowMs)
    timer.unref?.()
    this.pending.set(peer, timer)
  }

  directOpened (peer: string): void {
    if (this.pending.has(peer)) this.settle(peer)
  }

  stop (): void {
    for (const timer of this.pending.values()) clearTimeout(timer)
    this.pending.clear()
  }

  private settle (peer: string): void {
    clearTimeout(this.pending.get(peer))
    this.pending.delete(peer)
    this.opts.onOutcome(this.opts.hasDirect(peer) ? 'direct' : 'relayed')
  }
}
