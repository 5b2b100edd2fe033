import { registerPresenceBehaviors, type PresenceHandlers } from './behaviors.js'
import { isMemoryMode, type OfflineReason, type PeerChange, type PresenceAnnounce } from './payloads.js'
import type { BehaviorRegistrar, Logger, Message, PeerInfo, Runtime, Service } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

export interface PresenceOptions {
  /** how often to broadcast presence:hey-there @default 5000 */
  heartbeatMs?: number
  /** a peer not heard from for this long is offline (reason "silent") @default 3 * heartbeatMs + 1000 */
  offlineAfterMs?: number
}

/**
 * Who is online. Announces this nara at boot and on every heartbeat, answers a
 * newcomer directly so it learns the swarm at once, says chau on a graceful stop,
 * and emits the local `presence:peer-online` / `presence:peer-offline`. It is the
 * source of `rt.onlinePeers()`.
 */
export class PresenceService implements Service, BehaviorRegistrar, PresenceHandlers {
  readonly name = 'presence'
  readonly heartbeatMs: number
  readonly offlineAfterMs: number
  private rt!: Runtime
  private log!: Logger
  private readonly peers = new Map<NaraID, PeerInfo>()
  /** chau timestamps of departed peers: an older announcement arriving late must not revive them */
  private readonly departed = new Map<NaraID, { at: number, heardAt: number }>()
  private timers: Array<ReturnType<typeof setInterval>> = []
  private startedAt = 0
  private state: 'idle' | 'running' | 'stopped' = 'idle'

  constructor (options: PresenceOptions = {}) {
    this.heartbeatMs = positive('heartbeatMs', options.heartbeatMs ?? 5_000)
    this.offlineAfterMs = positive('offlineAfterMs', options.offlineAfterMs ?? 3 * this.heartbeatMs + 1_000)
  }

  init (rt: Runtime): void {
    this.rt = rt
    this.log = rt.log('presence')
    this.registerBehaviors(rt)
    rt.providePeers(() => this.online())
  }

  registerBehaviors (rt: Runtime): void {
    registerPresenceBehaviors(rt, this, this.heartbeatMs)
  }

  async start (): Promise<void> {
    if (this.state !== 'idle') return
    this.state = 'running'
    this.startedAt = Date.now()
    await this.announce()
    this.every(this.heartbeatMs, async () => { await this.announce() })
    this.every(Math.min(this.heartbeatMs, this.offlineAfterMs), async () => { await this.sweep() })
  }

  async stop (): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    for (const t of this.timers.splice(0)) clearInterval(t)
    if (wasRunning) {
      try {
        await this.rt.emit({ kind: 'presence:chau', payload: {} })
      } catch (err) {
        this.log.warn('could not broadcast presence:chau', { err: (err as Error).message })
      }
    }
    this.peers.clear()
    this.departed.clear()
  }

  /** The peers currently online, sorted by name; never this nara itself. */
  online (): PeerInfo[] {
    return [...this.peers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  }

  /** What we know of one online peer. */
  peer (id: NaraID): PeerInfo | undefined {
    return this.peers.get(id)
  }

  // --- handlers: business logic only; the runtime has verified and validated everything ---

  async heyThere (msg: Message<PresenceAnnounce>, p: PresenceAnnounce): Promise<void> {
    const seen = this.update(msg, p)
    if (seen === 'ignored') return
    // A newcomer (or a peer that restarted) learns of us at once instead of at our next heartbeat;
    // neither the answer nor local subscribers wait for the other.
    await Promise.all([
      seen !== 'known' ? this.welcome(msg.fromId) : undefined,
      this.announceChange(seen, msg)
    ])
  }

  async howdy (msg: Message<PresenceAnnounce>, p: PresenceAnnounce): Promise<void> {
    await this.announceChange(this.update(msg, p), msg)
  }

  async chau (msg: Message): Promise<void> {
    if (msg.fromId === this.rt.me().id || this.state === 'stopped') return
    const previous = this.departed.get(msg.fromId)
    if (previous === undefined || previous.at < msg.timestamp) this.departed.set(msg.fromId, { at: msg.timestamp, heardAt: Date.now() })
    const peer = this.peers.get(msg.fromId)
    if (peer === undefined) return
    this.peers.delete(msg.fromId)
    this.log.info('peer said chau', { peer: peer.name, id: peer.id })
    await this.changed('presence:peer-offline', peer.id, peer.name, 'chau')
  }

  // --- internals ---

  /** Tells local subscribers: a new peer is online; a restarted one went offline and is back. */
  private async announceChange (seen: ReturnType<PresenceService['update']>, msg: Message): Promise<void> {
    if (seen === 'restarted') await this.changed('presence:peer-offline', msg.fromId, msg.fromName, 'restarted')
    if (seen === 'new' || seen === 'restarted') await this.changed('presence:peer-online', msg.fromId, msg.fromName, '')
  }

  /** Records an announcement; says whether the peer is new, restarted or already known. */
  private update (msg: Message, p: PresenceAnnounce): 'new' | 'restarted' | 'known' | 'ignored' {
    if (msg.fromId === this.rt.me().id || this.state === 'stopped') return 'ignored'
    const gone = this.departed.get(msg.fromId)
    if (gone !== undefined && msg.timestamp <= gone.at) return 'ignored'
    this.departed.delete(msg.fromId)
    const previous = this.peers.get(msg.fromId)
    this.peers.set(msg.fromId, {
      id: msg.fromId,
      name: msg.fromName,
      uptimeMs: p.uptimeMs,
      ...(isMemoryMode(p.memoryMode) ? { memoryMode: p.memoryMode } : {}),
      lastSeen: Date.now()
    })
    if (previous === undefined) {
      this.log.info('peer online', { peer: msg.fromName, id: msg.fromId, via: msg.kind })
      return 'new'
    }
    return p.uptimeMs < previous.uptimeMs ? 'restarted' : 'known'
  }

  private async announce (): Promise<void> {
    try {
      await this.rt.emit({ kind: 'presence:hey-there', payload: this.announcement() })
    } catch (err) {
      this.log.warn('could not broadcast presence:hey-there', { err: (err as Error).message })
    }
  }

  private async welcome (to: NaraID): Promise<void> {
    try {
      await this.rt.emit({ kind: 'presence:howdy', to, payload: this.announcement() })
    } catch (err) {
      this.log.warn('could not send presence:howdy', { to, err: (err as Error).message })
    }
  }

  private announcement (): PresenceAnnounce {
    return { uptimeMs: this.startedAt === 0 ? 0 : Date.now() - this.startedAt, memoryMode: this.rt.memoryMode }
  }

  /** Peers not heard from within offlineAfterMs go offline. */
  private async sweep (): Promise<void> {
    const now = Date.now()
    for (const [id, gone] of this.departed) if (now - gone.heardAt > this.offlineAfterMs) this.departed.delete(id)
    const silent = [...this.peers.values()].filter(p => now - p.lastSeen > this.offlineAfterMs)
    for (const peer of silent) {
      this.peers.delete(peer.id)
      this.log.info('peer went silent', { peer: peer.name, id: peer.id, lastSeen: peer.lastSeen })
      await this.changed('presence:peer-offline', peer.id, peer.name, 'silent')
    }
  }

  private async changed (kind: 'presence:peer-online' | 'presence:peer-offline', id: NaraID, name: string, reason: OfflineReason | ''): Promise<void> {
    const payload: PeerChange = { id, name, reason }
    try {
      await this.rt.emit({ kind, payload })
    } catch (err) {
      this.log.error(`could not emit ${kind}`, { peer: id, err: (err as Error).message })
    }
  }

  private every (ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => { void work() }, ms)
    timer.unref() // presence alone never keeps the process alive
    this.timers.push(timer)
  }
}

function positive (option: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`presence: ${option} must be a positive number, got ${value}`)
  return value
}
