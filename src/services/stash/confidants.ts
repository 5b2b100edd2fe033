// Choosing confidants (the owner's side): trust from this nara's own observation, spread across machines.
import type { Observation, Observations } from './observations.js'
import type { SealedConfidant } from './sealed.js'
import type { PeerInfo, Runtime } from '../../runtime/index.js'
import type { NaraID } from '../../identity/index.js'

/** Each acknowledged store or passed audit counts as this much observed time online (capped). */
const SUCCESS_CREDIT_MS = 60_000
const MAX_CREDITED_SUCCESSES = 30
/** Each failed audit costs this much: a peer that failed ranks behind peers that never did. */
const FAILURE_PENALTY_MS = 24 * 60 * 60_000

/**
 * How much this nara trusts a peer to keep a stash, from what it observed itself:
 * how long it has seen the peer online without a break, plus credit for exchanges
 * that went well, minus a heavy penalty for each failed audit. Nothing the peer
 * claims about itself enters here.
 */
export function observedTrust (peer: PeerInfo, seen: Observation | undefined, now: number): number {
  const observedMs = Math.max(0, now - peer.onlineSince)
  if (seen === undefined) return observedMs
  return observedMs + Math.min(seen.successes, MAX_CREDITED_SUCCESSES) * SUCCESS_CREDIT_MS - seen.failures * FAILURE_PENALTY_MS
}

/**
 * Orders candidate confidants, most trusted by observation first. The uptime a
 * peer reports only breaks exact ties, then chance: a fresh identity claiming a
 * long uptime still ranks behind every peer seen online for longer.
 */
export function rankConfidants (
  peers: readonly PeerInfo[],
  exclude: ReadonlySet<string>,
  observed: (id: NaraID) => Observation | undefined = () => undefined,
  now = Date.now(),
  random: () => number = Math.random
): PeerInfo[] {
  return peers
    .filter(p => !exclude.has(p.id))
    .map(p => ({ p, trust: observedTrust(p, observed(p.id), now), tie: random() }))
    .sort((a, b) => (b.trust - a.trust) || (b.p.uptimeMs - a.p.uptimeMs) || (a.tie - b.tie))
    .map(({ p }) => p)
}

/**
 * Which machine (as far as can be seen) a peer's connection comes from: its IP, or
 * on loopback, where every nara of one machine shares 127.0.0.1, its IP and port.
 */
export function addressGroup (address: string | undefined): string | undefined {
  const [, proto, ip, , port] = address?.split('/') ?? []
  if ((proto !== 'ip4' && proto !== 'ip6') || ip === undefined) return undefined
  const loopback = ip === '::1' || ip.startsWith('127.')
  return loopback ? `${ip}:${port ?? ''}` : ip
}

/**
 * Reorders ranked candidates so that no two behind the same address group come
 * first: each keeps its rank among those from a group not yet `taken`; the others
 * follow, used only when nobody else is left.
 */
export function spreadByAddress<P extends { id: NaraID }> (ranked: readonly P[], groupOf: (id: NaraID) => string | undefined, taken: Iterable<string> = []): P[] {
  const used = new Set(taken)
  const first: P[] = []
  const later: P[] = []
  for (const p of ranked) {
    const group = groupOf(p.id)
    if (group !== undefined && used.has(group)) later.push(p)
    else {
      first.push(p)
      if (group !== undefined) used.add(group)
    }
  }
  return [...first, ...later]
}

/**
 * The peers a stash may be stored with, best first, each with the key it announced (a
 * confidant is listed with its key inside the stash): online peers, most trusted by this
 * nara's own observation first, spread so that two behind one address (one machine, as
 * far as can be seen), or behind the address of a confidant `kept`, come last.
 */
export function candidateConfidants (
  rt: Pick<Runtime, 'onlinePeers' | 'addressOf' | 'publicKeyOf'>,
  observations: Observations,
  exclude: ReadonlySet<string>,
  kept: Iterable<NaraID> = []
): SealedConfidant[] {
  const groupOf = (id: NaraID): string | undefined => addressGroup(rt.addressOf(id))
  const taken = [...kept].flatMap(id => groupOf(id) ?? [])
  const ranked = spreadByAddress(rankConfidants(rt.onlinePeers(), exclude, (id) => observations.of(id)), groupOf, taken)
  return ranked.flatMap(({ id, name }) => {
    const publicKey = rt.publicKeyOf(id)
    return publicKey === undefined ? [] : [{ id, name, publicKey }]
  })
}
