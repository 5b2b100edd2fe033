import { MemoryNetwork, MockRuntime, NaraMetrics, PresenceService, StashService, type NaraNode } from '../../../src/index.js'

/** A NaraNode around a MockRuntime with a real StashService: what the API serves in unit tests. */
export interface FakeNode extends NaraNode {
  readonly runtime: MockRuntime
}

/** Builds and starts a fake node on `network` (stash recovery off so nothing waits on timers). */
export async function fakeNode (name: string, network?: MemoryNetwork, opts: { withStash?: boolean, recoveryDeadlineMs?: number } = {}): Promise<FakeNode> {
  const metrics = new NaraMetrics()
  const runtime = new MockRuntime({ name, observer: metrics, ...(network !== undefined ? { network } : {}) })
  const recovery = opts.recoveryDeadlineMs !== undefined ? { recoverOnStart: true, recoveryDeadlineMs: opts.recoveryDeadlineMs } : { recoverOnStart: false }
  const stash = new StashService({ ...recovery, storeTimeoutMs: 1_000 })
  if (opts.withStash !== false) await runtime.install(stash)
  metrics.watch(runtime, stash)
  await runtime.start()
  const startedAt = Date.now() - 1_500
  return {
    identity: runtime.identity,
    runtime,
    stash,
    // never installed: the API does not use presence
    presence: new PresenceService(),
    metrics,
    peerId: () => `12D3KooW-fake-${name}`,
    multiaddrs: () => [`/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW-fake-${name}`],
    uptimeMs: () => Date.now() - startedAt,
    network: () => ({ reachability: 'unknown', confirmed: [], relaying: false, reservationsServed: 0, relays: [] }),
    linkTo: (id) => ({ connection: runtime.keyring.get(id) !== undefined ? 'direct' : 'none' }),
    peerIdOf: (id) => runtime.keyring.get(id) !== undefined ? `peer-of-${id}` : undefined,
    ready: async () => { await stash.recovered() },
    start: async () => { await runtime.start() },
    stop: async () => { await runtime.stop() }
  }
}

/** `count` linked fake nodes, all with stash, on one in-memory network. */
export async function fakeSwarm (count: number, prefix: string): Promise<FakeNode[]> {
  const network = new MemoryNetwork()
  const nodes: FakeNode[] = []
  for (let i = 0; i < count; i++) nodes.push(await fakeNode(`${prefix}-${i}`, network))
  return nodes
}
