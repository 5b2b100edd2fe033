import { sha256 } from '@noble/hashes/sha2.js'
import type { NaraID } from '../../identity/index.js'

const encoder = new TextEncoder()

/** A nara's rank for welcoming a newcomer: lower is sooner. */
function rank (newcomer: NaraID, candidate: NaraID): string {
  return Buffer.from(sha256(encoder.encode(`${newcomer}|${candidate}`)).subarray(0, 8)).toString('hex')
}

/**
 * Rendezvous hashing: a newcomer is welcomed by the `fanout` naras that rank lowest
 * for it among the naras this one knows online, itself included. Every nara decides
 * from its own view without talking to the others; with complete views exactly
 * `fanout` answer, however large the swarm, instead of every nara.
 */
export function isWelcomer (newcomer: NaraID, me: NaraID, online: Iterable<NaraID>, fanout: number): boolean {
  const mine = rank(newcomer, me)
  let ahead = 0
  for (const id of online) {
    if (id === newcomer || id === me) continue
    if (rank(newcomer, id) < mine && ++ahead >= fanout) return false
  }
  return true
}
