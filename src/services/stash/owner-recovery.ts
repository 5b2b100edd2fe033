// Recovery at boot (the owner's side): asking the swarm for this nara's stash and taking it back.
import { askAdvertisers } from './dht.js'
import { Recovery, type OpenedCopy, type RecoveryOptions } from './recovery.js'
import { decodeSealed, type SealedConfidant } from './sealed.js'
import type { StashContext } from './context.js'
import type { OwnerSide } from './owner.js'
import { MAX_REFRESH_ADDRESSES, type StashRecovered, type StashResponse } from './payloads.js'
import type { Message } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** The boot-time recovery: what came back, and when it began and ended (ms since the process started). */
export interface RecoveryReport extends StashRecovered {
  /** when the recovery began */
  readonly beganAtMs: number
  /** when it emitted stash:recovered */
  readonly endedAtMs: number
}

/**
 * Asks for this nara's stash back (stash:refresh, then the DHT), opens the copies
 * that come (stash:response) and hands them to the `Recovery` bookkeeping; when it
 * finishes, the newest version becomes the owner's stash and the local
 * `stash:recovered` is emitted with the count of copies.
 */
export class OwnerRecovery {
  private readonly gathering: Recovery
  /** the DHT lookup for this nara's confidants during recovery */
  private lookup?: AbortController
  /** copies offered during recovery that did not open */
  private unopened = 0
  /** when the boot-time recovery began, in ms since the process started */
  private beganAtMs?: number
  private ended?: RecoveryReport

  constructor (private readonly ctx: StashContext, private readonly owner: OwnerSide, options: Partial<RecoveryOptions>) {
    this.gathering = new Recovery(options, async (copies) => { await this.finish(copies) })
  }

  /** Whether the boot-time recovery is still gathering copies. */
  get pending (): boolean {
    return this.gathering.pending
  }

  /** How the boot-time recovery went; undefined until it has ended. */
  report (): RecoveryReport | undefined {
    return this.ended
  }

  /** Resolves when the boot-time recovery has finished (at once when it never started). */
  async done (): Promise<StashRecovered> {
    return await this.gathering.done()
  }

  /**
   * Asks for this nara's stash back in two ways at once: a stash:refresh broadcast,
   * and a DHT lookup of the confidants that advertise holding it, asked directly (the
   * broadcast may not reach them). The first copy opened names the rest.
   */
  async recover (): Promise<void> {
    this.unopened = 0
    this.beganAtMs ??= Math.round(performance.now())
    this.gathering.begin()
    this.lookup?.abort()
    this.lookup = new AbortController()
    void askAdvertisers(this.ctx, this.gathering, async (key) => { await this.askByKey(key) }, this.lookup.signal)
    try {
      await this.ctx.rt.emit({ kind: 'stash:refresh', payload: { addresses: this.ctx.rt.addresses().slice(0, MAX_REFRESH_ADDRESSES) } })
      this.ctx.log.debug('recovery: stash:refresh broadcast')
    } catch (err) {
      this.ctx.log.warn('could not broadcast stash:refresh', { err: (err as Error).message })
    }
  }

  /** Stops the lookup and ends a recovery still under way with nothing. */
  stop (): void {
    this.lookup?.abort()
    this.gathering.cancel()
  }

  /**
   * Asks one confidant for the stash it holds for this nara and opens it; undefined
   * when it holds none, or holds one that does not open to what its label says.
   */
  async fetchFrom (confidant: NaraID): Promise<{ version: number, data: Uint8Array } | undefined> {
    const reply = await this.ctx.rt.call({ kind: 'stash:request', to: confidant, payload: { ownerId: this.ctx.rt.me().id } })
    const response = reply.payload as StashResponse
    if (!response.found) return undefined
    const copy = await this.openCopy({ id: reply.fromId, name: reply.fromName }, response)
    return copy === undefined ? undefined : { version: copy.version, data: copy.data }
  }

  /** stash:response: a confidant sent this nara's stash back (answering stash:refresh). */
  async response (msg: Message<StashResponse>, p: StashResponse): Promise<void> {
    if (p.ownerId !== this.ctx.rt.me().id || !p.found) return
    await this.takeCopy({ id: msg.fromId, name: msg.fromName }, p, 'refresh')
  }

  /** Opens a copy and hands it to the recovery; asks the confidants it names that have not answered yet. */
  private async takeCopy (from: { id: NaraID, name: string }, response: StashResponse, via: 'refresh' | 'request'): Promise<void> {
    if (!this.gathering.collecting) return
    const copy = response.found ? await this.openCopy(from, response) : undefined
    if (response.found && copy === undefined) this.unopened++
    this.ctx.log.debug('recovery: an answer', { from: from.name, via, found: response.found, opened: copy !== undefined, version: copy?.version })
    for (const confidant of this.gathering.answer(from.id, copy)) {
      this.ctx.log.debug('recovery: asking a confidant directly', { confidant: confidant.name })
      void this.askConfidant(confidant)
    }
  }

  private async askConfidant (confidant: SealedConfidant): Promise<void> {
    try {
      await this.askByKey(confidant.publicKey)
    } catch (err) {
      this.ctx.log.info('a confidant did not answer', { confidant: confidant.name, err: (err as Error).message })
      this.gathering.failed(confidant.id)
    }
  }

  /** Asks the nara holding `publicKey` for this nara's stash; its answer goes to the recovery. */
  private async askByKey (publicKey: Uint8Array): Promise<void> {
    const reply = await this.ctx.rt.call({ kind: 'stash:request', toKey: publicKey, payload: { ownerId: this.ctx.rt.me().id } })
    await this.takeCopy({ id: reply.fromId, name: reply.fromName }, reply.payload as StashResponse, 'request')
  }

  private async finish (copies: OpenedCopy[]): Promise<void> {
    this.lookup?.abort()
    if (this.ctx.stopped) return
    // copies older than what this nara already has (a `set` during recovery) are ignored
    const newest = Math.max(0, ...copies.map(c => c.version))
    const holders = newest > this.owner.currentVersion() ? copies.filter(c => c.version === newest) : []
    let payload: StashRecovered = { count: 0, version: 0 }
    if (holders.length > 0) {
      this.owner.adopt(newest, holders)
      payload = { count: holders.length, version: newest }
      this.ctx.log.info('stash recovered', { version: newest, copies: holders.length, from: holders.map(c => c.from.name) })
    } else if (copies.length > 0) {
      this.ctx.log.info('recovered copies are not newer than the stash set meanwhile', { copies: copies.length })
    } else if (this.unopened > 0) {
      this.ctx.log.error('cannot open any recovered stash copy', { copies: this.unopened })
    }
    const endedAtMs = Math.round(performance.now())
    this.ended = { ...payload, beganAtMs: this.beganAtMs ?? endedAtMs, endedAtMs }
    await this.ctx.rt.emit({ kind: 'stash:recovered', payload })
    this.gathering.resolve(payload)
    if (holders.length > 0 && this.owner.short(holders.length)) this.owner.repair()
  }

  /** Opens a copy; undefined (and logged) when it does not open, or is not what its label says. */
  private async openCopy (from: { id: NaraID, name: string }, response: StashResponse): Promise<OpenedCopy | undefined> {
    try {
      const inner = decodeSealed(await this.ctx.rt.open(response))
      if (inner?.version === response.version) return { from, version: inner.version, data: inner.data, confidants: inner.confidants, sealed: { nonce: response.nonce, ciphertext: response.ciphertext } }
      this.ctx.log.warn('recovered copy is labelled with the wrong version', { from: from.name, fromId: from.id, label: response.version, sealed: inner?.version })
    } catch (err) {
      this.ctx.log.warn('recovered copy does not open', { from: from.name, fromId: from.id, err: (err as Error).message })
    }
    return undefined
  }
}
