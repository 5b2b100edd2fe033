import type { FastifyInstance } from 'fastify'
import type { Behavior } from '../runtime/index.js'
import type { NaraNode } from '../node/types.js'
import type { BehaviorBody, HeldBody, PeerBody, PeersBody, StatsBody, StatusBody } from './types.js'

/** The read-only JSON routes: status, peers, held stashes, behaviors, runtime counters. */
export function registerInfoRoutes (app: FastifyInstance, node: NaraNode): void {
  app.get('/status', async (): Promise<StatusBody> => statusOf(node))

  app.get('/peers', async (): Promise<PeersBody> => ({ peers: peersOf(node) }))

  app.get('/stash/held', async (): Promise<{ held: HeldBody[] }> => ({
    held: [...node.stash.stored.values()].map(s => ({
      ownerId: s.ownerId,
      ownerName: s.ownerName,
      bytes: s.ciphertext.byteLength,
      version: s.version,
      storedAt: s.storedAt
    }))
  }))

  app.get('/behaviors', async (): Promise<{ behaviors: BehaviorBody[] }> => ({
    behaviors: node.runtime.behaviors().map(describeBehavior)
  }))

  app.get('/stats', async (): Promise<StatsBody> => node.runtime.stats())
}

/** GET /status: who this nara is, where it listens, and whether the internet can reach it. */
export function statusOf (node: NaraNode): StatusBody {
  const network = node.network()
  return {
    name: node.identity.name,
    id: node.identity.id,
    peerId: node.peerId(),
    multiaddrs: node.multiaddrs(),
    uptimeMs: node.uptimeMs(),
    memoryMode: node.runtime.memoryMode,
    reachability: network.reachability,
    confirmedAddresses: network.confirmed,
    relaying: network.relaying,
    reservationsServed: network.reservationsServed,
    relays: network.relays
  }
}

/** GET /peers: the naras online, and how this nara reaches each. */
export function peersOf (node: NaraNode): PeerBody[] {
  return node.runtime.onlinePeers().map(p => ({
    id: p.id,
    name: p.name,
    peerId: node.peerIdOf(p.id) ?? null,
    uptimeMs: p.uptimeMs,
    lastSeen: p.lastSeen,
    ...node.linkTo(p.id)
  }))
}

/** A behavior as the API shows it. */
export function describeBehavior (b: Behavior): BehaviorBody {
  const versions = b.versionsNewestFirst()
  return {
    kind: b.kind,
    template: b.template,
    description: b.description,
    route: b.template === 'meshRequest' ? versions.map(v => b.route(v)) : b.template === 'broadcast' ? b.route() : null,
    versions,
    replyKind: b.replyKind ?? null
  }
}
