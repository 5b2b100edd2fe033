import type { Logger } from '@libp2p/interface'

interface Held {
  topic: string
  envelope: Uint8Array
  until: number
  /** a state announcement: a newer one on its topic replaces it */
  supersedable: boolean
}

export interface HeldBroadcastsOptions {
  /** publishes now; resolves with how many peers it was sent to */
  publish(topic: string, envelope: Uint8Array): Promise<number>
  /** whether any peer is subscribed to the topic */
  hasSubscribers(topic: string): boolean
  holdMs: number
  max: number
  retryMs: number
  log: Logger
  now?: () => number
}

/**
 * Broadcasts made while nobody listened on their topic. Each is republished when
 * a peer subscribes to its topic or on a retry interval, until at least one peer
 * got it or its deadline passes. A node's boot-time broadcast (presence, stash
 * refresh) depends on this: it is usually made before any peer is connected.
 */
export class HeldBroadcasts {
  private held: Held[] = []
  private timer?: ReturnType<typeof setInterval>
  private flushing?: Promise<void>
  private generation = 0
  private again = false
  private retrying = 0
  private readonly now: () => number

  constructor (private readonly opts: HeldBroadcastsOptions) {
    this.now = opts.now ?? Date.now
  }

  /** Held broadcasts, counting those a running flush is retrying. */
  get size (): number {
    return this.held.length + this.retrying
  }

  /**
   * Keeps a broadcast for later; the oldest is given up when the list is full. A
   * `supersedable` one (the newest state this node announces, such as its presence
   * heartbeat) replaces those of its topic still held: a nara that waited 25 s to get
   * into a busy swarm would otherwise flush five heartbeats at once, each verified and
   * forwarded by every nara, and the ones past the receivers' burst refused.
   */
  hold (topic: string, envelope: Uint8Array, options: { supersedable?: boolean } = {}): void {
    const supersedable = options.supersedable === true
    if (supersedable) this.held = this.held.filter(h => !(h.supersedable && h.topic === topic))
    this.held.push({ topic, envelope, until: this.now() + this.opts.holdMs, supersedable })
    this.trim()
    this.timer ??= setInterval(() => { void this.flush() }, this.opts.retryMs)
    this.timer.unref?.()
  }

  /** Republishes what can be delivered now; one flush runs at a time. */
  async flush (): Promise<void> {
    if (this.flushing !== undefined) {
      this.again = true // a subscriber may have appeared after this flush looked
      return await this.flushing
    }
    this.flushing = (async () => {
      do {
        this.again = false
        await this.republish()
      } while (this.again && this.held.length > 0)
    })().finally(() => { this.flushing = undefined })
    await this.flushing
  }

  /** Forgets everything and stops retrying. */
  clear (): void {
    this.generation++
    this.held = []
    this.stopTimer()
  }

  private async republish (): Promise<void> {
    const generation = this.generation
    const batch = this.held
    this.held = []
    this.retrying = batch.length
    const keep: Held[] = []
    try {
      for (const h of batch) {
        if (h.until <= this.now()) {
          this.opts.log('held broadcast on %s expired without a subscriber', h.topic)
          continue
        }
        if (!this.opts.hasSubscribers(h.topic) || !await this.tryPublish(h)) keep.push(h)
      }
    } finally {
      this.retrying = 0
    }
    if (generation !== this.generation) return // cleared meanwhile
    // Broadcasts held while this flush ran are already in this.held; older ones go
    // first, unless a newer announcement of their topic replaced them meanwhile.
    const replaced = (k: Held): boolean => k.supersedable && this.held.some(h => h.supersedable && h.topic === k.topic)
    this.held = [...keep.filter(k => !replaced(k)), ...this.held]
    this.trim()
    if (this.held.length === 0) this.stopTimer()
  }

  private async tryPublish (h: Held): Promise<boolean> {
    try {
      const recipients = await this.opts.publish(h.topic, h.envelope)
      if (recipients > 0) this.opts.log('published a held broadcast on %s to %d peers', h.topic, recipients)
      return recipients > 0
    } catch (err) {
      this.opts.log('republishing on %s failed: %s', h.topic, (err as Error).message)
      return false
    }
  }

  private trim (): void {
    while (this.held.length > this.opts.max) {
      const gone = this.held.shift()
      this.opts.log('gave up a held broadcast on %s: too many held', gone?.topic)
    }
  }

  private stopTimer (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }
}
