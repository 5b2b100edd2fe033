import { createLibp2p, type Libp2p } from 'libp2p'
import { Identity } from './identity/index.js'
import { MemoryLogger, NaraRuntime, type Logger } from './runtime/index.js'
import { StashService } from './services/stash/index.js'
import { PresenceService } from './services/presence/index.js'
import { Libp2pTransport, hostFromLibp2p, naraLibp2pOptions, peerIdOfKey, type NaraServices } from './transport/index.js'
import type { NaraNode, NaraOptions } from './nara-node-api.js'

/** A nara with a libp2p node of its own. */
export type StandaloneNara = NaraNode & { readonly libp2p: Libp2p<NaraServices> }

/** The default listen address: loopback, OS-chosen port. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0']

/**
 * Builds and starts a complete nara: identity, a libp2p node keyed by it, the
 * runtime over the libp2p transport, presence and stash (plus any extra services).
 */
export async function createNara (options: NaraOptions = {}): Promise<StandaloneNara> {
  const identity = Identity.create({
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.soul !== undefined ? { soul: options.soul } : {}),
    ...(options.machineId !== undefined ? { machineId: options.machineId } : {})
  })
  const libp2p = await createLibp2p(naraLibp2pOptions({
    privateKey: identity.privateKey,
    listen: options.listen ?? DEFAULT_LISTEN,
    bootstrap: options.bootstrap ?? []
  }))
  let node: NaraNode | undefined
  try {
    node = await assembleNara({
      identity,
      libp2p,
      transport: new Libp2pTransport(hostFromLibp2p(libp2p)),
      options,
      stopHost: async () => { await libp2p.stop() }
    })
    await node.runtime.start()
    return Object.assign(node, { libp2p })
  } catch (err) {
    // stops whatever did start (services, transport) and then libp2p
    await (node?.stop() ?? libp2p.stop())
    throw err
  }
}

interface Assembly {
  identity: Identity
  libp2p: Pick<Libp2p<NaraServices>, 'peerId' | 'getMultiaddrs'>
  transport: Libp2pTransport
  options: Omit<NaraOptions, 'name' | 'soul' | 'machineId' | 'listen' | 'bootstrap'>
  /** stops what the node runs on after the runtime has stopped (createNara: libp2p itself) */
  stopHost: () => Promise<void>
}

/** Wires a runtime and its services onto a libp2p host; shared by createNara and the libp2p service. */
export async function assembleNara ({ identity, libp2p, transport, options, stopHost }: Assembly): Promise<NaraNode> {
  const logger: Logger = options.logger ?? new MemoryLogger()
  const runtime = new NaraRuntime({
    identity,
    transport,
    logger,
    ...(options.memoryMode !== undefined ? { memoryMode: options.memoryMode } : {})
  })
  const presence = new PresenceService(options.presence)
  const stash = new StashService(options.stash)
  await runtime.install(presence)
  await runtime.install(stash)
  for (const service of options.services ?? []) await runtime.install(service)
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
    peerIdOf: (naraId) => {
      const known = runtime.keyring.get(naraId)
      return known === undefined ? undefined : peerIdOfKey(known.publicKey).toString()
    },
    stop: async () => {
      stopping ??= (async () => {
        await runtime.stop()
        await stopHost()
      })()
      await stopping
    }
  }
}
