import type { PeerInfo } from '../../runtime/index.js'

/**
 * Orders candidate confidants: highest uptime first (the peers most likely to
 * still be there when we come back), ties broken at random.
 */
export function rankConfidants (peers: readonly PeerInfo[], exclude: ReadonlySet<string>, random: () => number = Math.random): PeerInfo[] {
  return peers
    .filter(p => !exclude.has(p.id))
    .map(p => ({ p, tie: random() }))
    .sort((a, b) => (b.p.uptimeMs - a.p.uptimeMs) || (a.tie - b.tie))
    .map(({ p }) => p)
}
