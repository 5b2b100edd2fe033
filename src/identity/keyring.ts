import { isNaraIdOf } from './nara-id.js'
import type { NaraID } from './nara-id.js'

/** A nara whose NaraID has been checked against its public key and name. */
export interface KnownNara {
  id: NaraID
  name: string
  /** raw 32-byte Ed25519 public key */
  publicKey: Uint8Array
  /**
   * The peer this nara first heard of it through, when that was not the nara itself
   * (a gossipsub forwarder, a nara relaying its announcement): opaque to the keyring.
   */
  introducedBy?: string
}

/** How many kept naras eviction passes over before it gives up and evicts the oldest anyway. */
const MAX_KEPT_SKIPPED = 2_048

/**
 * Verified naras by NaraID, bounded: when full, the least recently remembered or used
 * one goes, unless `keep` says it must stay (the naras online now: a flood of fresh
 * identities cannot push their keys out).
 */
export class Keyring {
  private readonly entries = new Map<NaraID, KnownNara>()
  private readonly maxEntries: number

  /**
   * @param maxEntries - how many naras to keep; @default 10_000
   * @param keep - naras eviction passes over (up to 2,048 of them)
   */
  constructor (maxEntries = 10_000, private readonly keep: (id: NaraID) => boolean = () => false) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`keyring size must be a positive integer, got ${maxEntries}`)
    }
    this.maxEntries = maxEntries
  }

  /**
   * Stores a nara after checking that its id really is the NaraID of its key and name.
   *
   * @throws {Error} when the id does not match the key and name
   */
  remember (nara: KnownNara): void {
    if (!isNaraIdOf(nara.id, nara.publicKey, nara.name)) {
      throw new Error(`refusing to remember ${nara.name} (${nara.id}): the id is not derived from its public key and name`)
    }
    // Delete first so a re-remembered entry moves to the newest end of the Map's order.
    this.entries.delete(nara.id)
    if (this.entries.size >= this.maxEntries) this.evictOldest()
    this.entries.set(nara.id, {
      id: nara.id,
      name: nara.name,
      publicKey: Uint8Array.from(nara.publicKey),
      ...(nara.introducedBy !== undefined ? { introducedBy: nara.introducedBy } : {})
    })
  }

  /** The nara with this id, if known; counts as a use. */
  get (id: NaraID): KnownNara | undefined {
    const nara = this.entries.get(id)
    if (nara !== undefined) {
      this.entries.delete(id)
      this.entries.set(id, nara)
    }
    return nara
  }

  /** Whether a nara with this id is known (does not count as a use). */
  has (id: NaraID): boolean {
    return this.entries.has(id)
  }

  /** How many naras are known. */
  get size (): number {
    return this.entries.size
  }

  private evictOldest (): void {
    let skipped = 0
    for (const id of this.entries.keys()) {
      if (skipped++ < MAX_KEPT_SKIPPED && this.keep(id)) continue
      this.entries.delete(id)
      return
    }
  }
}
