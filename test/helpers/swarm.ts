import { createNara, type NaraNode, type NaraOptions, type StandaloneNara } from '../../src/index.js'
import { waitFor } from './wait.js'

/** Fast presence and recovery timings so a swarm forms and recovers in about a second. */
export const FAST: Pick<NaraOptions, 'presence' | 'stash'> = {
  presence: { heartbeatMs: 300 },
  // generous: under a loaded CI machine a confidant may take seconds to find a reborn node
  stash: { recoveryDeadlineMs: 15_000 }
}

/** Starts `count` naras on 127.0.0.1, the first as everyone's bootstrap, and waits until all see each other. */
export async function startSwarm (count: number, prefix: string): Promise<StandaloneNara[]> {
  const first = await createNara({ name: `${prefix}-0`, machineId: 'integration', ...FAST })
  const nodes = [first]
  for (let i = 1; i < count; i++) {
    nodes.push(await createNara({ name: `${prefix}-${i}`, machineId: 'integration', bootstrap: first.multiaddrs(), ...FAST }))
  }
  await waitFor(() => nodes.every(n => n.runtime.onlinePeers().length === count - 1), `${count} naras to see each other`, 15_000)
  return nodes
}

export async function stopAll (nodes: NaraNode[]): Promise<void> {
  await Promise.allSettled(nodes.map(async n => { await n.stop() }))
}
