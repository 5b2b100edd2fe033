import { MemoryLogger, type Logger } from '../runtime/logger.js'
import { NaraRuntime } from '../runtime/runtime.js'
import { StashService } from '../services/stash/service.js'
import { PresenceService } from '../services/presence/service.js'
import { Libp2pTransport } from '../transport/libp2p-transport.js'
import { peerIdOfKey } from '../transport/peer-ids.js'
import type { TransportHost } from '../transport/host.js'
import type { RuntimeObserver } from '../runtime/observer.js'
import { Connectivity } from './connectivity.js'
import { linkTo } from './peer-links.js'
import type { Identity } from '../identity/identity.js'
import type { Libp2p } from 'libp2p'
import type { NaraCore, NaraCoreOptions } from './types.js'

/** What a nara's runtime and services are wired onto (Node's assembly and the browser's share it). */
export interface CoreAssembly {
  identity: Identity
  libp2p: Pick<Libp2p, 'peerId' | 'getMultiaddrs'>
  host: TransportHost
  /** multiaddrs to join through (createNara's; an embedding app joins its own way) */
  bootstrap: readonly string[]
  options: NaraCoreOptions
  /** sees every message and call (Node: the Prometheus metrics) */
  observer?: RuntimeObserver
  /** stops what the node runs on after the runtime has stopped (createNara: libp2p itself) */
  stopHost: () => Promise<void>
}

/**
 * Wires a runtime, presence, stash and any extra services onto a libp2p host, and
 * keeps the node in its swarm. Imports nothing Node-only: the browser build uses it too.
 */
export async function assembleCore ({ identity, libp2p, host, bootstrap, options, observer, stopHost }: CoreAssembly): Promise<NaraCore> {
  const logger: Logger = options.logger ?? new MemoryLogger()
  const runtime = new NaraRuntime({
    identity,
    transport: new Libp2pTransport(host),
    logger,
    ...(observer !== undefined ? { observer } : {}),
    ...(options.admission !== undefined ? { admission: options.admission } : {}),
    ...(options.memoryMode !== undefined ? { memoryMode: options.memoryMode } : {})
  })
  const presence = new PresenceService(options.presence)
  const stash = new StashService(options.stash)
  await runtime.install(presence)
  await runtime.install(stash)
  for (const service of options.services ?? []) await runtime.install(service)
  const connectivity = new Connectivity(host, runtime, bootstrap)
  const startedAt = Date.now()
  let stopping: Promise<void> | undefined
  return {
    identity,
    runtime,
    stash,
    presence,
    peerId: () => libp2p.peerId.toString(),
    multiaddrs: () => libp2p.getMultiaddrs().map(ma => ma.toString()),
    uptimeMs: () => Date.now() - startedAt,
    linkTo: (naraId) => linkTo(host, runtime, naraId),
    peerIdOf: (naraId) => {
      const known = runtime.keyring.get(naraId)
      return known === undefined ? undefined : peerIdOfKey(known.publicKey).toString()
    },
    ready: async ({ peers = 1, timeoutMs = 30_000 } = {}) => {
      await untilReady(runtime, stash, peers, timeoutMs)
    },
    start: async () => {
      // the first step of a reborn nara's timeline (scripts/scale.ts --timeline)
      runtime.log('node').debug('libp2p is up; starting the services')
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
