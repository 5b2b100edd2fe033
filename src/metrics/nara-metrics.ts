import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CallOutcome, NaraRuntime, RuntimeObserver } from '../runtime/index.js'
import type { StashService } from '../services/stash/index.js'
import { registerStashMetrics } from './stash-metrics.js'

const REACHABILITY_STATES = ['public', 'private', 'unknown'] as const

/** What the network metrics read: reachability now, and each direct-upgrade outcome as it comes. */
export interface NetworkSource {
  /** `public`, `private` or `unknown` */
  reachability(): string
  /** Calls `listener` with `direct` or `relayed` for each peer first reached through a relay. */
  onDirectUpgrade(listener: (outcome: string) => void): void
}

/** Call durations: from loopback round trips (ms) to the slowest timeouts. */
const CALL_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

/**
 * A nara's own Prometheus metrics, in a registry of this node's (several nodes
 * may run in one process: never the global default registry). The runtime pushes
 * message counts and call durations as they happen; gauges and the stash's
 * counters are read from the node at each scrape.
 */
export class NaraMetrics implements RuntimeObserver {
  readonly registry: Registry
  private readonly receivedTotal: Counter<'kind'>
  private readonly emittedTotal: Counter<'kind'>
  private readonly droppedTotal: Counter<'kind' | 'reason'>
  private readonly callDuration: Histogram<'kind' | 'outcome'>
  private readonly receivedSeries = new Map<string, { inc: () => void }>()
  private readonly emittedSeries = new Map<string, { inc: () => void }>()
  private readonly callSeries = new Map<string, { observe: (value: number) => void }>()

  constructor (registry: Registry = new Registry()) {
    this.registry = registry
    const registers = [registry]
    this.receivedTotal = new Counter({ name: 'nara_messages_received_total', help: 'Messages that passed the receive pipeline, by kind', labelNames: ['kind'], registers })
    this.emittedTotal = new Counter({ name: 'nara_messages_emitted_total', help: 'Messages that passed the emit pipeline (sent, published or delivered locally), by kind', labelNames: ['kind'], registers })
    this.droppedTotal = new Counter({ name: 'nara_messages_dropped_total', help: 'Inbound messages dropped, by kind ("unknown" before it is decoded) and reason', labelNames: ['kind', 'reason'], registers })
    this.callDuration = new Histogram({
      name: 'nara_call_duration_seconds',
      help: 'How long call() took from sending the request to its reply or failure, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      buckets: CALL_BUCKETS_SECONDS,
      registers
    })
  }

  // Every message passes here: the labelled series are looked up once per kind, not hashed from labels each time.
  received (kind: string): void { seriesOf(this.receivedSeries, kind, () => this.receivedTotal.labels(kind)).inc() }
  emitted (kind: string): void { seriesOf(this.emittedSeries, kind, () => this.emittedTotal.labels(kind)).inc() }
  dropped (kind: string, reason: string): void { this.droppedTotal.inc({ kind, reason }) }
  callFinished (kind: string, outcome: CallOutcome, seconds: number): void {
    seriesOf(this.callSeries, `${outcome}|${kind}`, () => this.callDuration.labels(kind, outcome)).observe(seconds)
  }

  /** Adds the gauges read from a running node at each scrape. */
  watch (runtime: NaraRuntime, stash: StashService): void {
    const registers = [this.registry]
    new Gauge({
      name: 'nara_peers_online',
      help: 'Naras this node sees online',
      registers,
      collect () { this.set(runtime.onlinePeers().length) }
    })
    new Gauge({
      name: 'nara_calls_pending',
      help: 'Calls waiting for their reply',
      registers,
      collect () { this.set(runtime.stats().pendingCalls) }
    })
    registerStashMetrics(this.registry, stash)
  }

  /** Adds the node's reachability (one series per state, 1 for the current one) and its direct upgrades. */
  watchNetwork (network: NetworkSource): void {
    const registers = [this.registry]
    new Gauge({
      name: 'nara_reachability',
      help: 'Whether peers on the internet can dial this nara, by AutoNAT v2: 1 for the current state',
      labelNames: ['state'],
      registers,
      collect () {
        const current = network.reachability()
        for (const state of REACHABILITY_STATES) this.set({ state }, state === current ? 1 : 0)
      }
    })
    const upgrades = new Counter({
      name: 'nara_direct_upgrades_total',
      help: 'Peers first reached through a relay, by outcome: reached directly (DCUtR) or still relayed after the attempt',
      labelNames: ['outcome'],
      registers
    })
    for (const outcome of ['direct', 'relayed']) upgrades.inc({ outcome }, 0)
    network.onDirectUpgrade((outcome) => { upgrades.inc({ outcome }) })
  }

  /** The metrics in the Prometheus text exposition format, with its content type. */
  async scrape (): Promise<{ contentType: string, text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() }
  }
}

/** The series for `key`, made with `make` the first time (kinds are the registered behaviors: a bounded set). */
function seriesOf<S> (series: Map<string, S>, key: string, make: () => S): S {
  let found = series.get(key)
  if (found === undefined) {
    found = make()
    series.set(key, found)
  }
  return found
}
