import { createLibp2p, type Libp2p } from 'libp2p'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import { Identity } from '../identity/index.js'
import { hostFromLibp2p, loadUpnp, naraLibp2pOptions, type NaraServices } from '../transport/index.js'
import { assembleNara } from './assemble.js'
import type { NaraNode, NaraOptions } from './types.js'

/** A nara with a libp2p node of its own. */
export type StandaloneNara = NaraNode & { readonly libp2p: Libp2p<NaraServices> }

/** The default listen address: loopback, OS-chosen port. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0']

/**
 * How often the event-loop delay metrics take a sample. prom-client's default (10 ms)
 * wakes the process 100 times a second: 7 of the 11 ms of CPU a second an idle nara
 * used alone, and a fifth of an idle swarm's. Once a second still catches the
 * delays an operator cares about, over a scrape interval.
 */
const EVENT_LOOP_SAMPLE_MS = 1_000

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
  const metricsRegistry = options.metricsRegistry ?? new Registry()
  const libp2p = await createLibp2p({
    ...naraLibp2pOptions({
      privateKey: identity.privateKey,
      listen: options.listen ?? DEFAULT_LISTEN,
      ...(options.announce !== undefined ? { announce: options.announce } : {}),
      ...(options.relay !== undefined ? { relay: options.relay } : {}),
      ...(options.mdns !== undefined ? { mdns: options.mdns } : {}),
      ...(options.upnp === true ? { upnp: await loadUpnp() } : {}),
      ...(options.webSocketsTls !== undefined ? { webSocketsTls: options.webSocketsTls } : {})
    }),
    // libp2p's metrics and the process's (CPU, memory, event loop) in this node's registry
    metrics: prometheusMetrics({ registry: metricsRegistry, defaultMetrics: { eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS } })
  })
  let node: NaraNode | undefined
  try {
    node = await assembleNara({
      identity,
      libp2p,
      host: hostFromLibp2p(libp2p),
      network: libp2p.services.network,
      bootstrap: options.bootstrap ?? [],
      options: { ...options, metricsRegistry },
      stopHost: async () => { await libp2p.stop() }
    })
    await node.start()
    return Object.assign(node, { libp2p })
  } catch (err) {
    // stops whatever did start (services, transport) and then libp2p
    await (node?.stop() ?? libp2p.stop())
    throw err
  }
}
