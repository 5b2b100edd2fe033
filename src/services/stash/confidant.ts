// The confidant's side: keeping other naras' stashes in memory, and answering their owners.
import { possessionProof } from './audits.js'
import { addressGroup } from './confidants.js'
import { advertisement } from './dht.js'
import { Refusal } from '../../runtime/index.js'
import type { StashContext } from './context.js'
import type { StashAck, StashAudit, StashProof, StashRefresh, StashRequest, StashResponse, StashStore } from './payloads.js'
import type { MemoryMode, Message } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** A stash a confidant holds for an owner: ciphertext it cannot read. */
export interface EncryptedStash {
  /** the owner, who alone may store, fetch or audit it */
  readonly ownerId: NaraID
  /** the owner's name, as its signed store said */
  readonly ownerName: string
  /** the owner's version: a store of an older one is refused */
  readonly version: number
  /** the nonce it was sealed with */
  readonly nonce: Uint8Array
  /** the sealed stash, which only the owner can open */
  readonly ciphertext: Uint8Array
  /** when this confidant stored it (ms since the Unix epoch) */
  readonly storedAt: number
  /** the peer the owner came to this nara through (`rt.originOf`): its slots are a fair share */
  readonly origin: string
}

/** Owners a confidant keeps stashes for, by memory mode. */
export const CAPACITY_BY_MEMORY_MODE: Readonly<Record<MemoryMode, number>> = { low: 5, medium: 20, high: 50 }

/** The most slots of a confidant the owners brought in by one peer may hold: a quarter of its capacity. */
export function fairShare (capacity: number): number {
  return Math.ceil(capacity / 4)
}

/** Why a confidant refused a newcomer's store: it is full of online owners, or the newcomer's origin has its share. */
export type StoreRefusal = 'storage-full' | 'origin-share'

/**
 * The confidant's side of the stash: holds other naras' stashes in memory, accepts a
 * store only from the owner itself, and answers requests, refreshes and audits only
 * to the owner. Refusals go back to the owner as replies with a reason.
 */
export class ConfidantSide {
  /** stashes held for other naras, by owner */
  stored = new Map<NaraID, EncryptedStash>()
  /** stores accepted from other naras */
  accepted = 0
  /** stores of newcomers refused, by reason */
  readonly refused: Record<StoreRefusal, number> = { 'storage-full': 0, 'origin-share': 0 }

  constructor (private readonly ctx: StashContext) {}

  /** How many owners this nara may hold stashes for, by its memory mode. */
  capacity (): number {
    return CAPACITY_BY_MEMORY_MODE[this.ctx.rt.memoryMode]
  }

  /** The ciphertext bytes of every stash held. */
  heldBytes (): number {
    let bytes = 0
    for (const s of this.stored.values()) bytes += s.ciphertext.byteLength
    return bytes
  }

  /** stash:store: keeps the owner's newest stash, making room for a newcomer if it may. */
  async store (msg: Message<StashStore>, p: StashStore): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'only the owner may store its stash')
    const held = this.stored.get(p.ownerId)
    if (held !== undefined && held.version > p.version) {
      throw new Refusal('stale-version', `holding newer version ${held.version}`)
    }
    const origin = held?.origin ?? this.originOf(p.ownerId)
    if (held === undefined) this.makeRoom(msg, origin)
    this.stored.set(p.ownerId, { ownerId: p.ownerId, ownerName: msg.fromName, version: p.version, nonce: p.nonce, ciphertext: p.ciphertext, storedAt: Date.now(), origin })
    this.accepted++
    try {
      await this.reply<StashAck>(msg, 'stash:ack', { ownerId: p.ownerId, version: p.version })
    } finally {
      // logged once the ack is on its way: the owner's set waits for every confidant's
      this.ctx.log.info('storing stash', { owner: msg.fromName, ownerId: msg.fromId, version: p.version, bytes: p.ciphertext.byteLength })
    }
    // findable by the owner through the DHT even where its broadcast does not reach
    if (held === undefined) this.ctx.rt.advertise(advertisement(p.ownerId)).catch((err: Error) => { this.ctx.log.debug('could not advertise a held stash', { owner: p.ownerId, err: err.message }) })
  }

  /** stash:request: returns the stash held for the owner asking (found: false when none). */
  async request (msg: Message<StashRequest>, p: StashRequest): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'a stash is only returned to its owner')
    await this.reply<StashResponse>(msg, 'stash:response', this.responseFor(p.ownerId))
  }

  /** stash:refresh: an owner just booted; if this nara holds its stash, sends it back directly. */
  async refresh (msg: Message<StashRefresh>, p: StashRefresh): Promise<void> {
    if (!this.stored.has(msg.fromId)) return
    this.ctx.log.info('returning stash to its owner', { owner: msg.fromName, ownerId: msg.fromId })
    // a reborn owner listens elsewhere (a new port, a new relay): answer where it says it is now
    await this.ctx.rt.learnAddresses(msg.fromId, p.addresses)
    await this.ctx.rt.emit({ kind: 'stash:response', to: msg.fromId, payload: this.responseFor(msg.fromId) })
  }

  /** stash:audit: proves to the owner that this nara holds its exact stash. */
  async audit (msg: Message<StashAudit>, p: StashAudit): Promise<void> {
    if (p.ownerId !== msg.fromId) throw new Refusal('not-owner', 'only the owner may audit its stash')
    const held = this.stored.get(p.ownerId)
    await this.reply<StashProof>(msg, 'stash:proof', held === undefined
      ? { ownerId: p.ownerId, found: false, version: 0, proof: new Uint8Array(0) }
      : { ownerId: p.ownerId, found: true, version: held.version, proof: possessionProof(p.challenge, held) })
  }

  private responseFor (ownerId: NaraID): StashResponse {
    const held = this.stored.get(ownerId)
    return held === undefined
      ? { ownerId, found: false, version: 0, nonce: new Uint8Array(0), ciphertext: new Uint8Array(0) }
      : { ownerId, found: true, version: held.version, nonce: held.nonce, ciphertext: held.ciphertext }
  }

  private async reply<P> (request: Message, kind: string, payload: P): Promise<void> {
    await this.ctx.rt.emit({ kind, to: request.fromId, inReplyTo: request.id, payload })
  }

  /**
   * Capacity under pressure, for a newcomer: the owners that came through one peer (a
   * gossipsub forwarder, a relaying nara, one connection address) hold at most a fair
   * share of the slots, so one peer introducing many identities cannot take them all.
   * A full confidant forgets the oldest stash of an offline owner,
   * never one of an online owner it holds already: it refuses the newcomer instead.
   */
  private makeRoom (msg: Message, origin: string): void {
    const capacity = this.capacity()
    const share = fairShare(capacity)
    let same = 0
    for (const s of this.stored.values()) if (s.origin === origin) same++
    if (same >= share) this.refuse('origin-share', `${same} of the stashes held here came through the same peer as ${msg.fromName}; at most ${share} of ${capacity} do`, msg)
    if (this.stored.size >= capacity && !this.evictOffline()) {
      this.refuse('storage-full', `holding ${capacity} stashes of online owners already (memory mode ${this.ctx.rt.memoryMode})`, msg)
    }
  }

  private refuse (reason: StoreRefusal, detail: string, msg: Message): never {
    if (this.refused[reason]++ % 100 === 0) this.ctx.log.warn('refusing a stash', { reason, owner: msg.fromName, ownerId: msg.fromId, refused: this.refused[reason] })
    throw new Refusal(reason, detail)
  }

  /**
   * Where an owner came from: the peer that introduced it to this nara, else the address
   * its connection comes from (one IP; on loopback IP and port, see addressGroup), else itself.
   */
  private originOf (owner: NaraID): string {
    const introducer = this.ctx.rt.originOf(owner)
    if (introducer !== owner) return introducer
    return addressGroup(this.ctx.rt.addressOf(owner)) ?? owner
  }

  /** When full, a confidant makes room by forgetting the oldest stash of an owner that is offline. */
  private evictOffline (): boolean {
    const online = new Set(this.ctx.rt.onlinePeers().map(p => p.id))
    const offline = [...this.stored.values()].filter(s => !online.has(s.ownerId)).sort((a, b) => a.storedAt - b.storedAt)
    const evicted = offline[0]
    if (evicted === undefined) return false
    this.stored.delete(evicted.ownerId)
    this.ctx.rt.withdraw(advertisement(evicted.ownerId)).catch(() => {})
    this.ctx.log.info('evicted the stash of an offline owner', { owner: evicted.ownerName, ownerId: evicted.ownerId })
    return true
  }
}
