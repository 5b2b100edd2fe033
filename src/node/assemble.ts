import { MemoryLogger, NaraRuntime, type Logger } from '../runtime/index.js'
import { StashService } from '../services/stash/index.js'
import { PresenceService } from '../services/presence/index.js'
import { Libp2pTransport, peerIdOfKey, type NaraServices, type NetworkService, type NetworkStatus, type TransportHost } from '../transport/index.js'
import { NaraMetrics } from '../metrics/index.js'
import { Connectivity } from './connectivity.js'
import { linkTo } from './peer-links.js'
import type { Identity } from '../identity/index.js'
import type { Libp2p } from 'libp2p'
import type { NaraNode, NaraOptions, NodeOnlyOption } from './types.js'

export interface Assembly {
  identity: Identity
  libp2p: Pick<Libp2p<NaraServices>, 'peerId' | 'getMultiaddrs'>
  host: TransportHost
  /** nara's libp2p network service (reachability, relaying), when the node runs it */
  network?: NetworkService
  /** multiaddrs to join through (createNara's; an embedding app joins its own way) */
  bootstrap: readonly string[]
  options: Omit<NaraOptions, NodeOnlyOption>
  /** stops what the node runs on after the runtime has stopped (createNara: libp2p itself) */
  stopHost: () => Promise<void>
}

/** Wires a runtime and its services onto a libp2p host; shared by createNara and the libp2p service. */
/** What an embedded node without nara's network service reports. */
const NO_NETWORK: NetworkStatus = { reachability: 'unknown', confirmed: [], relaying: false, reservationsServed: 0, relays: [] }

export async function assembleNara ({ identity, libp2p, host, network, bootstrap, options, stopHost }: Assembly): Promise<NaraNode> {
  const logger: Logger = options.logger ?? new MemoryLogger()
  const metrics = new NaraMetrics(options.metricsRegistry)
  const runtime = new NaraRuntime({
    identity,
    transport: new Libp2pTransport(host),
    logger,
    observer: metrics,
    ...(options.admission !== undefined ? { admission: options.admission } : {}),
    ...(options.memoryMode !== undefined ? { memoryMode: options.memoryMode } : {})
  })
  const presence = new PresenceService(options.presence)
  const stash = new StashService(options.stash)
  await runtime.install(presence)
  await runtime.install(stash)
  for (const service of options.services ?? []) await runtime.install(service)
  metrics.watch(runtime, stash)
  if (network !== undefined) {
    metrics.watchNetwork({ reachability: () => network.status().reachability, onDirectUpgrade: (listener) => { network.onDirectUpgrade(listener) } })
  }
  const connectivity = new Connectivity(host, runtime, bootstrap)
  const startedAt = Date.now()
  let stopping: Promise<void> | undefined
  return {
    identity,
    runtime,
    stash,
    presence,
    metrics,
    peerId: () => libp2p.peerId.toString(),
    multiaddrs: () => libp2p.getMultiaddrs().map(ma => ma.toString()),
    uptimeMs: () => Date.now() - startedAt,
    network: () => network?.status() ?? NO_NETWORK,
    linkTo: (naraId) => linkTo(host, runtime, naraId),
    peerIdOf: (naraId) => {
      const known = runtime.keyring.get(naraId)
      return known === undefined ? undefined : peerIdOfKey(known.publicKey).toString()
    },
    ready: async ({ peers = 1, timeoutMs = 30_000 } = {}) => {
      await untilReady(runtime, stash, peers, timeoutMs)
    },
    start: async () => {
      await runtime.start()
      connectivity.start()
    },
    stop: async () => {
      stopping ??= (async () => {
        connectivity.stop()
        await runtime.stop()
        await stopHost()
      })()
      await stopping
    }
  }
}

/** How often `ready` looks at the presence table. */
const READY_POLL_MS = 50

/** Waits for `peers` naras online and the boot-time recovery; one clear error at the deadline. */
async function untilReady (runtime: NaraRuntime, stash: StashService, peers: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (runtime.onlinePeers().length < peers) {
    if (Date.now() >= deadline) {
      throw new NotReadyError(`${runtime.onlinePeers().length} of ${peers} peer(s) online after ${timeoutMs} ms; check --bootstrap and that the peers run`)
    }
    await new Promise(resolve => setTimeout(resolve, READY_POLL_MS))
  }
  const left = Math.max(0, deadline - Date.now())
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      stash.recovered(),
      new Promise((_resolve, reject) => { timer = setTimeout(() => { reject(new NotReadyError(`the stash was still being recovered after ${timeoutMs} ms`)) }, left) })
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** `ready()` gave up: too few peers online, or recovery still running, at its deadline. */
export class NotReadyError extends Error {
  constructor (message: string) {
    super(`nara is not ready: ${message}`)
    this.name = 'NotReadyError'
  }
}
