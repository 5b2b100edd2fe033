import type { MemoryMode, PeerInfo } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** What an announcement says about its sender. */
export interface Announced {
  readonly name: string
  readonly uptimeMs: number
  readonly memoryMode?: MemoryMode
  /** when the sender signed it (ms since the Unix epoch) */
  readonly sentAt: number
  /** where the sender says it can be reached */
  readonly addresses: readonly string[]
}

/**
 * How an announcement changed the table. `moved`: a known nara that announces other
 * addresses than before (it made a relay reservation, or AutoNAT confirmed an address).
 * `stale`: older than one already recorded (a relayed copy arriving after a direct
 * one), so it changes nothing.
 */
export type Seen = 'new' | 'restarted' | 'moved' | 'known' | 'stale' | 'full'

interface Entry {
  info: PeerInfo
  /** silent past this instant (ms since the Unix epoch) */
  silentAt: number
  /** the newest announcement's signing time */
  sentAt: number
  /** its addresses, joined */
  addresses: string
}

/**
 * The naras seen online, bounded: once `capacity` entries are held a new identity
 * is refused and the established ones keep their places (a flood of fresh
 * identities cannot push real peers out). Each entry goes silent at its own
 * deadline, set from the interval its sender announced.
 */
export class PeerTable {
  private readonly entries = new Map<NaraID, Entry>()

  constructor (private readonly capacity: number) {}

  get size (): number {
    return this.entries.size
  }

  get (id: NaraID): PeerInfo | undefined {
    return this.entries.get(id)?.info
  }

  /** When the newest announcement of `id` was signed (ms since the Unix epoch); undefined when it is not in the table. */
  sentAt (id: NaraID): number | undefined {
    return this.entries.get(id)?.sentAt
  }

  values (): PeerInfo[] {
    return [...this.entries.values()].map(e => e.info)
  }

  /** Records an announcement heard at `now`; the peer is silent if nothing follows within `silentAfterMs`. */
  record (id: NaraID, a: Announced, now: number, silentAfterMs: number): Seen {
    const previous = this.entries.get(id)
    if (previous === undefined && this.entries.size >= this.capacity) return 'full'
    if (previous !== undefined && a.sentAt < previous.sentAt) return 'stale'
    const restarted = previous !== undefined && a.uptimeMs < previous.info.uptimeMs
    const info: PeerInfo = {
      id,
      name: a.name,
      uptimeMs: a.uptimeMs,
      ...(a.memoryMode !== undefined ? { memoryMode: a.memoryMode } : {}),
      lastSeen: now,
      // what this nara observed itself: a restart starts the count again
      onlineSince: previous === undefined || restarted ? now : previous.info.onlineSince
    }
    const addresses = a.addresses.join(' ')
    this.entries.set(id, { info, silentAt: now + silentAfterMs, sentAt: a.sentAt, addresses })
    if (previous === undefined) return 'new'
    if (restarted) return 'restarted'
    return previous.addresses === addresses ? 'known' : 'moved'
  }

  remove (id: NaraID): PeerInfo | undefined {
    const entry = this.entries.get(id)
    this.entries.delete(id)
    return entry?.info
  }

  /** Removes and returns the peers whose deadline has passed and that were not heard from for `atLeastMs`. */
  takeSilent (now: number, atLeastMs = 0): PeerInfo[] {
    const silent: PeerInfo[] = []
    for (const [id, entry] of this.entries) {
      if (entry.silentAt > now || now - entry.info.lastSeen < atLeastMs) continue
      this.entries.delete(id)
      silent.push(entry.info)
    }
    return silent
  }

  clear (): void {
    this.entries.clear()
  }
}
