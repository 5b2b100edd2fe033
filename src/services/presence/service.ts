import { registerPresenceBehaviors, type PresenceHandlers } from './behaviors.js'
import { GONE_FRESH_MS, GoneClaims } from './gone-claims.js'
import { MAX_ANNOUNCED_ADDRESSES, MAX_WELCOME_KNOWN, isMemoryMode, type OfflineReason, type PeerChange, type PeerGone, type PresenceAnnounce, type PresenceWelcome } from './payloads.js'
import { PeerTable, type Seen } from './peer-table.js'
import { RateLimiter, type BehaviorRegistrar, type Logger, type Message, type PeerInfo, type RateLimit, type Runtime, type Service } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** Options of the presence service; every one has a default. */
export interface PresenceOptions {
  /** the shortest interval between two presence:hey-there of this nara @default 5000 */
  heartbeatMs?: number
  /**
   * Heartbeats per second the whole swarm should send: in a larger swarm each nara
   * announces less often, so a nara's gossip load stays the same as the swarm grows.
   * At 1, a nara in a swarm of 50 announces every 50 s. A crash does not wait for its
   * silence limit (151 s then): the crashed nara's neighbours see their connections
   * close, cannot reach it again and say so (presence:gone), and a graceful stop says
   * chau. Only a nara that freezes or is cut off without its connections closing is
   * found by silence alone. See docs/performance.md for what each rate costs.
   * @default 1
   */
  swarmHeartbeatsPerSecond?: number
  /** a peer not heard from for this long is offline (reason "silent") @default 3 of its announced intervals + 1 s */
  offlineAfterMs?: number
  /** naras kept in the presence table; more new identities are refused @default 1024 */
  maxPeers?: number
}

/**
 * Welcomes this nara sends, whatever the swarm does. A welcome rides a connection that
 * already exists, so a bootstrap node can greet a burst of 50 newcomers at once.
 */
const WELCOME_BUDGET: RateLimit = { perSecond: 10, burst: 50 }
/** A nara lost by a neighbour is probed at most this often by it (a link that keeps closing costs one probe per period). */
const PROBE_EVERY_MS = 10_000
/**
 * How long a neighbour waits before it probes a nara it lost, on average (half as long
 * to half as long again). A nara killed and restarted at once announces itself within
 * a second or so; probing at once, each of its neighbours dialled the new process in
 * the second it recovers its stash, and the recovery at 30 took 6 s instead of 2.
 */
const PROBE_DELAY_MS = 2_000
/** A nara named gone answers at most this often (the receivers' grace period covers the claims in between). */
const REFUTE_EVERY_MS = 1_000
/** The longest heartbeat interval, sent or believed: a peer cannot stay "online" for hours after it died. */
const MAX_HEARTBEAT_MS = 60_000
/** Heartbeats go out up to this fraction early or late, so naras started together do not announce together. */
const HEARTBEAT_JITTER = 0.1
const SWEEP_MS = 1_000
/**
 * How many heartbeat intervals a welcomer keeps following a newcomer up with the naras
 * it learned of since: while a burst of joins goes on, the newcomer's gossip mesh is
 * still forming and it misses the other newcomers' boot announcements.
 */
const FOLLOW_UP_HEARTBEATS = 6


/**
 * Who is online. Announces this nara at boot and on every heartbeat (gossip), says
 * chau on a graceful stop, and emits the local `presence:peer-online` /
 * `presence:peer-offline`. It is the source of `rt.onlinePeers()`.
 *
 * A newcomer's first announcement is answered (presence:howdy) by the naras already
 * connected to it: its bootstrap peer at least, since some neighbour forwarded the
 * announcement. So is any announcement of a nara that knows nobody online (`alone`):
 * one that reached the swarm long after it started, because its bootstrap peer was
 * busy or away, is welcomed just the same. The welcome carries the signed
 * announcements of the naras the welcomer sees, so the newcomer knows the swarm at
 * once; for a few heartbeats after, it follows up with those the welcomer learned of
 * meanwhile. Nobody dials anyone to welcome, and the heartbeat interval grows with the
 * swarm: a nara's traffic stays about the same whether the swarm has 10 naras or 50.
 */
export class PresenceService implements Service, BehaviorRegistrar, PresenceHandlers {
  readonly name = 'presence'
  readonly heartbeatMs: number
  /** silence limit for a peer that did not announce its interval */
  readonly offlineAfterMs: number
  private readonly swarmRate: number
  private readonly fixedOfflineAfterMs?: number
  private rt!: Runtime
  private log!: Logger
  private peers: PeerTable
  /** chau timestamps of departed peers: an older announcement arriving late must not revive them */
  private readonly departed = new Map<NaraID, { at: number, heardAt: number }>()
  private readonly welcomes = new RateLimiter(1)
  /**
   * The naras welcomed in the last FOLLOW_UP_HEARTBEATS intervals: when (one welcome
   * answers all the announcements a nara made while alone), and when they were last
   * sent announcements (a welcome or a follow-up).
   */
  private readonly welcomed = new Map<NaraID, { at: number, sentAt: number }>()
  /** claims that peers are gone, waiting for the peer to answer */
  private readonly goneClaims = new GoneClaims()
  /** when this nara last probed each lost neighbour (bounded: pruned in the sweep) */
  private readonly probedAt = new Map<NaraID, number>()
  private refutedAt = 0
  private unsubscribeLost?: () => void
  /** probes waiting for their delay, cancelled on stop */
  private readonly probeTimers = new Set<ReturnType<typeof setTimeout>>()
  private heartbeat?: ReturnType<typeof setTimeout>
  private sweeper?: ReturnType<typeof setInterval>
  private refusedWhileFull = 0
  private startedAt = 0
  private state: 'idle' | 'running' | 'stopped' = 'idle'

  constructor (options: PresenceOptions = {}) {
    this.heartbeatMs = positive('heartbeatMs', options.heartbeatMs ?? 5_000)
    this.swarmRate = positive('swarmHeartbeatsPerSecond', options.swarmHeartbeatsPerSecond ?? 1)
    if (options.offlineAfterMs !== undefined) this.fixedOfflineAfterMs = positive('offlineAfterMs', options.offlineAfterMs)
    this.offlineAfterMs = this.fixedOfflineAfterMs ?? 3 * this.heartbeatMs + 1_000
    this.peers = new PeerTable(positive('maxPeers', options.maxPeers ?? 1024))
  }

  /** Keeps the runtime, registers presence's kinds and provides the runtime's online peers. */
  init (rt: Runtime): void {
    this.rt = rt
    this.log = rt.log('presence')
    this.registerBehaviors(rt)
    rt.providePeers(() => this.online())
  }

  /** Registers presence's kinds on `rt`. */
  registerBehaviors (rt: Runtime): void {
    registerPresenceBehaviors(rt, this, this.heartbeatMs)
  }

  /** Announces this nara and starts the heartbeat and the silence checks. */
  async start (): Promise<void> {
    if (this.state !== 'idle') return
    this.state = 'running'
    this.startedAt = Date.now()
    this.unsubscribeLost = this.rt.onNeighbourLost((id) => { this.neighbourLost(id) })
    await this.announce()
    this.sweeper = setInterval(() => { void this.sweep() }, Math.min(SWEEP_MS, this.heartbeatMs))
    this.sweeper.unref?.() // presence alone never keeps the process alive
  }

  /** Says chau to the swarm and stops the timers. */
  async stop (): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    clearTimeout(this.heartbeat)
    clearInterval(this.sweeper)
    this.unsubscribeLost?.()
    for (const timer of this.probeTimers) clearTimeout(timer)
    this.probeTimers.clear()
    if (wasRunning) {
      try {
        await this.rt.emit({ kind: 'presence:chau', payload: {} })
      } catch (err) {
        this.log.warn('could not broadcast presence:chau', { err: (err as Error).message })
      }
    }
    this.peers.clear()
    this.departed.clear()
    this.welcomed.clear()
    this.goneClaims.clear()
    this.probedAt.clear()
  }

  /** The peers currently online, sorted by name; never this nara itself. */
  online (): PeerInfo[] {
    return this.peers.values().sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
  }

  /** What we know of one online peer. */
  peer (id: NaraID): PeerInfo | undefined {
    return this.peers.get(id)
  }

  /** How long this nara waits between its heartbeats now: longer in a larger swarm. */
  currentHeartbeatMs (): number {
    const swarm = this.peers.size + 1
    return Math.min(MAX_HEARTBEAT_MS, Math.max(this.heartbeatMs, Math.round(1_000 * swarm / this.swarmRate)))
  }

  /** New identities refused because the presence table was full. */
  get refused (): number {
    return this.refusedWhileFull
  }

  // --- handlers: business logic only; the runtime has verified and validated everything ---

  /** Handles presence:hey-there: records the peer, welcomes a newcomer, tells local subscribers of a change. */
  async heyThere (msg: Message<PresenceAnnounce>, p: PresenceAnnounce): Promise<void> {
    const seen = this.update(msg, p)
    if (seen === undefined) return
    // Neither the welcome nor local subscribers wait for the other.
    await Promise.all([
      this.shouldWelcome(seen, msg.fromId, p) ? this.welcome(msg.fromId) : undefined,
      this.announceChange(seen, msg)
    ])
  }

  /** Handles presence:howdy: records the welcomer and delivers the announcements it relayed. */
  async howdy (msg: Message<PresenceWelcome>, p: PresenceWelcome): Promise<void> {
    const seen = this.update(msg, p.announce as PresenceAnnounce)
    if (seen !== undefined) await this.announceChange(seen, msg)
    // Each relayed hey-there is verified against its own signer, by the signature of its broadcast.
    await this.rt.deliverRelayed('presence:hey-there', p.known, msg.fromId)
  }

  /** Handles presence:chau: the peer left on purpose. */
  async chau (msg: Message): Promise<void> {
    if (msg.fromId === this.rt.me().id || this.state === 'stopped') return
    const peer = this.peers.remove(msg.fromId)
    if (peer === undefined) return // only known naras are remembered as departed: the map stays as bounded as the table
    this.goneClaims.forget(msg.fromId)
    const previous = this.departed.get(msg.fromId)
    if (previous === undefined || previous.at < msg.timestamp) this.departed.set(msg.fromId, { at: msg.timestamp, heardAt: Date.now() })
    this.log.info('peer said chau', { peer: peer.name, id: peer.id })
    await this.changed('presence:peer-offline', peer.id, peer.name, 'chau')
  }

  /**
   * Handles presence:gone: a neighbour of a peer lost it and could not reach it again.
   * Hearsay, so it is weighed: about this nara, it is answered at once (a hey-there
   * that refutes it); about a peer this nara is connected to itself, or a stale one,
   * it is ignored; otherwise the peer is offline after GONE_GRACE_MS unless it is
   * heard from meanwhile (its answer comes by the same gossip). One liar cannot take
   * a live nara offline: the nara hears the claim and answers it.
   */
  async gone (msg: Message<PeerGone>, p: PeerGone): Promise<void> {
    if (this.state !== 'running') return
    const now = Date.now()
    if (p.id === this.rt.me().id) {
      await this.refute(now)
      return
    }
    if (p.id === msg.fromId || now - msg.timestamp > GONE_FRESH_MS) return
    const sentAt = this.peers.sentAt(p.id)
    if (sentAt === undefined || this.rt.isNeighbour(p.id)) return
    if (this.goneClaims.claim(p.id, now, sentAt)) this.log.debug('a peer is said to be gone', { peer: p.id, by: msg.fromName })
  }

  // --- internals ---

  /**
   * This nara's last connection to a peer closed. Unless the peer said chau, or announced
   * itself again (it restarted), or a connection to it opened again within the probe
   * delay, this nara tries to reach it (presence:still-there, within its timeout); if
   * it cannot, it says so (presence:gone) and takes the claim as its neighbours would.
   */
  private neighbourLost (id: NaraID): void {
    const now = Date.now()
    const sentAt = this.peers.sentAt(id)
    const probed = this.probedAt.get(id)
    if (this.state !== 'running' || sentAt === undefined || (probed !== undefined && now - probed < PROBE_EVERY_MS)) return
    this.probedAt.set(id, now)
    const timer = setTimeout(() => {
      this.probeTimers.delete(timer)
      void this.probe(id, sentAt)
    }, Math.round(PROBE_DELAY_MS * (0.5 + Math.random())))
    timer.unref?.()
    this.probeTimers.add(timer)
  }

  private async probe (id: NaraID, sentAt: number): Promise<void> {
    if (this.state !== 'running' || this.rt.isNeighbour(id) || this.peers.sentAt(id) !== sentAt) return
    try {
      await this.rt.emit({ kind: 'presence:still-there', to: id, payload: {} })
      return
    } catch (err) {
      if (this.state !== 'running' || this.rt.isNeighbour(id) || this.peers.sentAt(id) !== sentAt) return
      this.log.info('lost a peer and cannot reach it again', { peer: this.peers.get(id)?.name, id, err: (err as Error).message })
    }
    this.goneClaims.claim(id, Date.now(), sentAt)
    try {
      await this.rt.emit({ kind: 'presence:gone', payload: { id } })
    } catch (err) {
      this.log.warn('could not broadcast presence:gone', { err: (err as Error).message })
    }
  }

  /** A presence:gone named this nara: announce at once, at most once per REFUTE_EVERY_MS. */
  private async refute (now: number): Promise<void> {
    if (now - this.refutedAt < REFUTE_EVERY_MS) return
    this.refutedAt = now
    this.log.info('a peer said this nara is gone; answering')
    await this.announce(true)
  }

  /** Claims whose grace period is over: the peer is offline unless heard from, or connected to, meanwhile. */
  private async takeGone (now: number): Promise<void> {
    for (const { id, sentAt } of this.goneClaims.due(now)) {
      const newest = this.peers.sentAt(id)
      if (newest === undefined || newest > sentAt || this.rt.isNeighbour(id)) continue
      const peer = this.peers.remove(id)
      if (peer === undefined) continue
      // only an announcement newer than its last brings it back (not a relayed copy of that one)
      this.departed.set(id, { at: newest, heardAt: now })
      this.log.info('peer gone', { peer: peer.name, id: peer.id })
      await this.changed('presence:peer-offline', peer.id, peer.name, 'gone')
    }
  }

  /** Tells local subscribers: a new peer is online; a restarted one went offline and is back. */
  private async announceChange (seen: Exclude<Seen, 'full' | 'stale'>, msg: Message): Promise<void> {
    if (seen === 'restarted') await this.changed('presence:peer-offline', msg.fromId, msg.fromName, 'restarted')
    if (seen === 'new' || seen === 'restarted') await this.changed('presence:peer-online', msg.fromId, msg.fromName, '')
  }

  /** Records an announcement; undefined when it is ignored (ours, stale, or the table is full). */
  private update (msg: Message, p: PresenceAnnounce): Exclude<Seen, 'full' | 'stale'> | undefined {
    if (msg.fromId === this.rt.me().id || this.state === 'stopped') return undefined
    const gone = this.departed.get(msg.fromId)
    if (gone !== undefined && msg.timestamp <= gone.at) return undefined
    this.departed.delete(msg.fromId)
    const announced = { name: msg.fromName, uptimeMs: p.uptimeMs, sentAt: msg.timestamp, addresses: p.addresses, ...(isMemoryMode(p.memoryMode) ? { memoryMode: p.memoryMode } : {}) }
    const seen = this.peers.record(msg.fromId, announced, Date.now(), this.silenceLimit(p))
    if (seen === 'stale') return undefined
    if (p.refutesGone && seen !== 'full') this.goneClaims.refute(msg.fromId, Date.now())
    if (seen === 'full') {
      if (this.refusedWhileFull++ % 100 === 0) this.log.warn('presence table full: refusing new naras', { peers: this.peers.size, refused: this.refusedWhileFull })
      return undefined
    }
    if (seen === 'new' || seen === 'restarted' || seen === 'moved') {
      // a nara vouches for its own addresses only (the announcement is signed by it)
      void this.rt.learnAddresses(msg.fromId, p.addresses)
      if (seen === 'new') this.log.info('peer online', { peer: msg.fromName, id: msg.fromId, via: msg.kind })
    }
    return seen
  }

  /** How long a peer may stay silent: three of the intervals it announced (bounded), and a second. */
  private silenceLimit (p: PresenceAnnounce): number {
    if (this.fixedOfflineAfterMs !== undefined) return this.fixedOfflineAfterMs
    if (p.heartbeatMs === 0) return this.offlineAfterMs
    return 3 * Math.min(MAX_HEARTBEAT_MS, p.heartbeatMs) + 1_000
  }

  /** Broadcasts hey-there and schedules the next one, at the interval the swarm's size calls for. */
  private async announce (refutesGone = false): Promise<void> {
    clearTimeout(this.heartbeat) // an answer to presence:gone comes between two heartbeats
    const interval = this.currentHeartbeatMs()
    try {
      await this.rt.emit({ kind: 'presence:hey-there', payload: this.announcement(interval, refutesGone) })
    } catch (err) {
      this.log.warn('could not broadcast presence:hey-there', { err: (err as Error).message })
    }
    if (this.state !== 'running') return
    const jitter = 1 - HEARTBEAT_JITTER * Math.random() // never later than announced
    this.heartbeat = setTimeout(() => { void this.announce() }, Math.round(interval * jitter))
    this.heartbeat.unref?.()
  }

  /**
   * A nara that just started (or restarted), or that says it knows nobody online, is
   * welcomed by its neighbours, within this nara's welcome budget and once per
   * heartbeat interval (the announcements it made while alone may all arrive at once,
   * when it finally reaches the swarm). A peer that is only new to us (we just joined,
   * or its heartbeats only now reach us) has peers already.
   */
  private shouldWelcome (seen: Exclude<Seen, 'full' | 'stale'>, newcomer: NaraID, p: PresenceAnnounce): boolean {
    const justStarted = (seen === 'new' || seen === 'restarted') && p.uptimeMs < this.heartbeatMs
    if (!justStarted && !p.alone) return false
    const now = Date.now()
    const last = this.welcomed.get(newcomer)?.at
    if (last !== undefined && now - last < this.heartbeatMs) return false
    if (!this.rt.isNeighbour(newcomer) || !this.welcomes.take('welcome', WELCOME_BUDGET)) return false
    this.welcomed.set(newcomer, { at: now, sentAt: now })
    return true
  }

  /**
   * Sends `to` the announcements of the naras this one sees online, each with the signature it was broadcast with. With
   * `learnedSince` (when it last sent `to` any) it is a follow-up: only the naras this
   * one learned of since, and nothing when there are none. Naras that join together
   * miss each other's boot announcements while their gossip meshes form, and would
   * otherwise wait for the next heartbeat, 25 s apart at 50.
   */
  private async welcome (to: NaraID, learnedSince?: number): Promise<void> {
    if (learnedSince !== undefined && (this.state !== 'running' || !this.rt.isNeighbour(to))) return
    const known = this.rt.retained('presence:hey-there', MAX_HEARTBEAT_MS)
      .filter(m => {
        const peer = m.fromId === to ? undefined : this.peers.get(m.fromId)
        return peer !== undefined && (learnedSince === undefined || peer.onlineSince >= learnedSince)
      })
      .slice(0, MAX_WELCOME_KNOWN)
      .map(m => ({ publicKey: m.publicKey, envelope: m.envelope, proof: m.proof }))
    if (learnedSince !== undefined && known.length === 0) return
    const payload: PresenceWelcome = { announce: this.announcement(this.currentHeartbeatMs()), known }
    try {
      await this.rt.emit({ kind: 'presence:howdy', to, payload })
    } catch (err) {
      this.log.warn('could not send presence:howdy', { to, err: (err as Error).message })
    }
  }

  private announcement (heartbeatMs: number, refutesGone = false): PresenceAnnounce {
    return {
      uptimeMs: this.startedAt === 0 ? 0 : Date.now() - this.startedAt,
      memoryMode: this.rt.memoryMode,
      heartbeatMs,
      addresses: this.rt.addresses().slice(0, MAX_ANNOUNCED_ADDRESSES),
      alone: this.peers.size === 0,
      refutesGone
    }
  }

  /**
   * Peers past their silence limit go offline. A peer announces its next interval, and
   * intervals grow with the swarm: a nara that announced 5 s while the swarm was small
   * may announce 25 s in the heartbeat after, and when that one is lost (a newcomer is
   * not yet in the gossip mesh) the next comes 25 s later. So a peer is also given
   * three of the intervals the swarm's size calls for now before it is called silent.
   */
  private async sweep (): Promise<void> {
    const now = Date.now()
    for (const [id, gone] of this.departed) if (now - gone.heardAt > MAX_HEARTBEAT_MS) this.departed.delete(id)
    for (const [id, at] of this.probedAt) if (now - at >= PROBE_EVERY_MS) this.probedAt.delete(id)
    await this.takeGone(now)
    const swarmSilence = this.fixedOfflineAfterMs === undefined ? 3 * this.currentHeartbeatMs() + 1_000 : 0
    for (const peer of this.peers.takeSilent(now, swarmSilence)) {
      this.goneClaims.forget(peer.id)
      this.log.info('peer went silent', { peer: peer.name, id: peer.id, lastSeen: peer.lastSeen })
      await this.changed('presence:peer-offline', peer.id, peer.name, 'silent')
    }
    const followUps: Array<Promise<void>> = []
    for (const [id, welcomed] of this.welcomed) {
      if (now - welcomed.sentAt < this.heartbeatMs) continue
      if (now - welcomed.at >= FOLLOW_UP_HEARTBEATS * this.heartbeatMs) this.welcomed.delete(id)
      followUps.push(this.welcome(id, welcomed.sentAt))
      welcomed.sentAt = now
    }
    await Promise.all(followUps)
  }

  private async changed (kind: 'presence:peer-online' | 'presence:peer-offline', id: NaraID, name: string, reason: OfflineReason | ''): Promise<void> {
    const payload: PeerChange = { id, name, reason }
    try {
      await this.rt.emit({ kind, payload })
    } catch (err) {
      this.log.error(`could not emit ${kind}`, { peer: id, err: (err as Error).message })
    }
  }
}

function positive (option: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`presence: ${option} must be a positive number, got ${value}`)
  return value
}
