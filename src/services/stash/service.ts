// The stash service: the composition of the owner's side, the confidant's side, audits and recovery.
import { Auditor } from './audits.js'
import { registerStashBehaviors, type StashHandlers } from './behaviors.js'
import { ConfidantSide, type EncryptedStash } from './confidant.js'
import { StashContext } from './context.js'
import { resolveOptions, type ResolvedStashOptions, type StashOptions } from './options.js'
import { OwnerSide, type Confidant, type StoreReport } from './owner.js'
import { OwnerRecovery, type RecoveryReport } from './owner-recovery.js'
import { stashStats, type StashStats } from './stats.js'
import type { Observations } from './observations.js'
import type { StashAudit, StashRecovered, StashRefresh, StashRequest, StashResponse, StashStore } from './payloads.js'
import type { BehaviorRegistrar, Message, Runtime, Service } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/**
 * Keeps this nara's small encrypted state on a few peers (its confidants), and
 * keeps other naras' stashes in memory as their confidant. On start it asks the
 * swarm for its own stash back and emits the local `stash:recovered`.
 */
export class StashService implements Service, BehaviorRegistrar, StashHandlers {
  /** the service's name, which its kinds start with */
  readonly name = 'stash'
  private readonly ctx = new StashContext()
  private readonly options: ResolvedStashOptions
  private readonly owner: OwnerSide
  private readonly confidant: ConfidantSide
  private readonly audits: Auditor
  private readonly recovery: OwnerRecovery
  private unsubscribe: Array<() => void> = []

  constructor (options: StashOptions = {}) {
    this.options = resolveOptions(options)
    this.owner = new OwnerSide(this.ctx, this.options)
    this.confidant = new ConfidantSide(this.ctx)
    this.audits = new Auditor(this.ctx, this.owner, this.options)
    this.recovery = new OwnerRecovery(this.ctx, this.owner, options)
  }

  /** Installs the service in `rt`: its scoped log, an empty store, its behaviors. */
  init (rt: Runtime): void {
    this.ctx.rt = rt
    this.ctx.log = rt.log('stash')
    this.stored = new Map()
    this.registerBehaviors(rt)
  }

  /** Declares stash's protocol (see behaviors.ts), handled by this service's methods below. */
  registerBehaviors (rt: Runtime): void {
    registerStashBehaviors(rt, this)
  }

  /** Starts repairs and audits, and (unless `recoverOnStart` is false) the boot-time recovery. */
  async start (): Promise<void> {
    this.ctx.stopped = false
    // Repair: a confidant that goes away (or restarts, losing its memory) is replaced;
    // a peer coming online fills a stash that has fewer confidants than it wants.
    this.unsubscribe.push(this.ctx.rt.on('presence:peer-offline', (msg) => {
      if (this.owner.forget((msg.payload as { id: NaraID }).id)) this.owner.repair()
    }))
    this.unsubscribe.push(this.ctx.rt.on('presence:peer-online', () => {
      if (this.owner.short()) this.owner.repair()
    }))
    this.audits.schedule()
    if (this.options.recoverOnStart) await this.recover()
  }

  /** Stops audits, repairs and a recovery under way. */
  async stop (): Promise<void> {
    this.ctx.stopped = true
    this.audits.cancel()
    this.recovery.stop()
    for (const off of this.unsubscribe) off()
    this.unsubscribe = []
  }

  // --- the owner's API: this nara's own stash ---

  /** The current plaintext, or undefined when there is none. */
  get (): Uint8Array | undefined {
    return this.owner.get()
  }

  /**
   * Seals `data` and stores it with up to `targetConfidants` online peers, highest
   * uptime first; each must acknowledge. Throws when too large, when too few peers
   * are online, or when no confidant acknowledged (the previous stash then stays).
   */
  async set (data: Uint8Array): Promise<StoreReport> {
    return await this.owner.set(data)
  }

  /** The version of the current stash (0 when there is none). */
  currentVersion (): number {
    return this.owner.currentVersion()
  }

  /** When a confidant last acknowledged storing this nara's stash (ms since the Unix epoch). */
  lastStoredAt (): number | undefined {
    return this.owner.lastStoredAt()
  }

  /** The confidants keeping this nara's stash. */
  confidants (): Confidant[] {
    return this.owner.confidants().map(({ id, name }) => ({ id, name }))
  }

  /** What this nara saw of its confidants: confidant choice trusts this, not what peers claim. */
  get observations (): Observations {
    return this.owner.observations
  }

  /** Audits every confidant once, in parallel; a failed one is replaced. */
  async auditAll (): Promise<void> {
    await this.audits.auditAll()
  }

  /** Asks the swarm for this nara's stash back (see OwnerRecovery.recover); `start` does. */
  async recover (): Promise<void> {
    await this.recovery.recover()
  }

  /** Resolves when the boot-time recovery has finished (at once when it never started). */
  async recovered (): Promise<StashRecovered> {
    return await this.recovery.done()
  }

  /** Whether the boot-time recovery is still gathering copies (GET /stash says so rather than "no stash"). */
  get recovering (): boolean {
    return this.recovery.pending
  }

  /** How the boot-time recovery went, in ms since the process started; undefined until it has ended. */
  recoveryReport (): RecoveryReport | undefined {
    return this.recovery.report()
  }

  /**
   * Asks one confidant for the stash it holds for this nara and opens it; undefined
   * when it holds none, or holds one that does not open to what its label says.
   */
  async fetchFrom (confidant: NaraID): Promise<{ version: number, data: Uint8Array } | undefined> {
    return await this.recovery.fetchFrom(confidant)
  }

  // --- the confidant's side: other naras' stashes ---

  /** Stashes held for other naras, by owner. */
  get stored (): Map<NaraID, EncryptedStash> {
    return this.confidant.stored
  }

  /** Replaces the stashes held (`init` starts with none). */
  set stored (stored: Map<NaraID, EncryptedStash>) {
    this.confidant.stored = stored
  }

  /** Counts for monitoring, from every part of the stash. */
  stats (): StashStats {
    return stashStats(this.owner, this.confidant, this.audits, this.recovery.report())
  }

  // --- handlers: business logic only; the runtime has verified and validated everything ---

  /** stash:store, as a confidant. */
  async store (msg: Message<StashStore>, p: StashStore): Promise<void> { await this.confidant.store(msg, p) }
  /** stash:request, as a confidant. */
  async request (msg: Message<StashRequest>, p: StashRequest): Promise<void> { await this.confidant.request(msg, p) }
  /** stash:refresh, as a confidant. */
  async refresh (msg: Message<StashRefresh>, p: StashRefresh): Promise<void> { await this.confidant.refresh(msg, p) }
  /** stash:audit, as a confidant. */
  async audit (msg: Message<StashAudit>, p: StashAudit): Promise<void> { await this.confidant.audit(msg, p) }
  /** stash:response, as the owner recovering. */
  async response (msg: Message<StashResponse>, p: StashResponse): Promise<void> { await this.recovery.response(msg, p) }
}
