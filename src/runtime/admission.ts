/**
 * How much one forwarder (the peer that handed us a message: a gossipsub propagation
 * source, or the nara that relayed announcements in a welcome) may bring in per window.
 */
export interface AdmissionLimits {
  /** the length of one window, in ms */
  readonly windowMs: number
  /** senders this nara never heard of before, per forwarder per window */
  readonly newIdentities: number
  /** messages of any sender, per forwarder per window */
  readonly messages: number
  /** forwarders tracked at once (each with up to `newIdentities` ids); the one whose window began longest ago is forgotten first */
  readonly maxForwarders: number
}

/**
 * The defaults, sized from a burst of 50 naras joining at once on 127.0.0.1 (see
 * README "What nara promises against hostile peers"): there one forwarder brought in
 * at most 47 new naras and 92 messages in 10 s. A window
 * admits a swarm of 128 joining together through one forwarder: a sybil with one
 * connection adds 128 identities per 10 s, not thousands. Forwarders are connections
 * (at most 200) and relaying naras.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = { windowMs: 10_000, newIdentities: 128, messages: 2_000, maxForwarders: 256 }

/** Why a message was not admitted; the drop reason code. */
export type AdmissionRefusal = 'admission-rate' | 'admission-new-identities'

interface Window {
  startedAt: number
  messages: number
  /** the new senders admitted in this window: two messages of one newcomer in flight count once */
  introduced: Set<string>
}

/** The most one forwarder brought in within one window, over all forwarders and windows (messages counted whether admitted or not). */
export interface AdmissionPeaks {
  readonly messages: number
  readonly newIdentities: number
}

/**
 * Admission control per forwarder: fixed windows counting its messages and the new
 * identities it introduces. Bounded: at most `maxForwarders` windows are kept.
 */
export class Admission {
  private readonly windows = new Map<string, Window>()
  private peakMessages = 0
  private peakNewIdentities = 0

  constructor (private readonly limits: AdmissionLimits = DEFAULT_ADMISSION, private readonly now: () => number = Date.now) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`admission: ${name} must be a positive integer, got ${value}`)
    }
  }

  /**
   * Counts one message from `forwarder`, whose sender is `newSender` when this nara never
   * heard of it before; undefined when it is admitted, else why not.
   */
  admit (forwarder: string, newSender?: string): AdmissionRefusal | undefined {
    const w = this.windowOf(forwarder)
    w.messages++
    this.peakMessages = Math.max(this.peakMessages, w.messages)
    if (w.messages > this.limits.messages) return 'admission-rate'
    if (newSender === undefined || w.introduced.has(newSender)) return undefined
    if (w.introduced.size >= this.limits.newIdentities) return 'admission-new-identities'
    w.introduced.add(newSender)
    this.peakNewIdentities = Math.max(this.peakNewIdentities, w.introduced.size)
    return undefined
  }

  /** Forwarders with a window open (for tests and stats). */
  get forwarders (): number {
    return this.windows.size
  }

  /** The most any one forwarder brought in within a window since this nara started. */
  peaks (): AdmissionPeaks {
    return { messages: this.peakMessages, newIdentities: this.peakNewIdentities }
  }

  private windowOf (forwarder: string): Window {
    const now = this.now()
    const current = this.windows.get(forwarder)
    if (current !== undefined && now - current.startedAt < this.limits.windowMs) return current
    // A new window goes to the end of the Map's order: the first entry began longest ago.
    this.windows.delete(forwarder)
    const fresh: Window = { startedAt: now, messages: 0, introduced: new Set() }
    this.windows.set(forwarder, fresh)
    if (this.windows.size > this.limits.maxForwarders) this.windows.delete(this.windows.keys().next().value as string)
    return fresh
  }
}
