import { NaraMetrics } from '../metrics/index.js'
import type { NetworkService, NetworkStatus } from '../transport/index.js'
import { assembleCore, type CoreAssembly } from './core.js'
import type { NaraNode, NaraOptions, NodeOnlyOption } from './types.js'

export { NotReadyError } from './core.js'

export interface Assembly extends Omit<CoreAssembly, 'options' | 'observer'> {
  /** nara's libp2p network service (reachability, relaying), when the node runs it */
  network?: NetworkService
  options: Omit<NaraOptions, NodeOnlyOption>
}

/** What an embedded node without nara's network service reports. */
const NO_NETWORK: NetworkStatus = { reachability: 'unknown', confirmed: [], relaying: false, reservationsServed: 0, relays: [] }

/** Wires a runtime, its services and their metrics onto a libp2p host; shared by createNara and the libp2p service. */
export async function assembleNara ({ network, options, ...assembly }: Assembly): Promise<NaraNode> {
  const metrics = new NaraMetrics(options.metricsRegistry)
  const core = await assembleCore({ ...assembly, options, observer: metrics })
  metrics.watch(core.runtime, core.stash)
  if (network !== undefined) {
    metrics.watchNetwork({ reachability: () => network.status().reachability, onDirectUpgrade: (listener) => { network.onDirectUpgrade(listener) } })
  }
  return { ...core, metrics, network: () => network?.status() ?? NO_NETWORK }
}
