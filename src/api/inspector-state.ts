import type { NaraNode } from '../node/types.js'
import type { RuntimeStats } from '../runtime/index.js'
import type { ConfidantBody, PeerBody, StatusBody } from './types.js'
import { peersOf, statusOf } from './routes.js'

/** This nara's own stash as the inspector shows it (the owner may read its own state). */
export interface OwnStashView {
  version: number
  confidants: ConfidantBody[]
  /** ms since the Unix epoch; null when no confidant has acknowledged a store yet */
  lastStoredAt: number | null
  /** the state as text (JSON when it was set through the API) */
  text: string
}

/** A stash held for another nara: sizes only, never ciphertext. */
export interface HeldView {
  ownerId: string
  /** '' when this nara does not know the owner's name */
  ownerName: string
  bytes: number
  version: number
  storedAt: number
}

/** Everything the inspector page shows besides the message feed. */
export interface InspectorSnapshot {
  /** this nara's clock when the snapshot was taken (the page shows times relative to it) */
  at: number
  status: StatusBody
  peers: PeerBody[]
  /** null when this nara has no stash */
  stash: OwnStashView | null
  held: HeldView[]
  stats: RuntimeStats
}

export function inspectorSnapshot (node: NaraNode): InspectorSnapshot {
  const { runtime, stash } = node
  const data = stash.get()
  return {
    at: Date.now(),
    status: statusOf(node),
    peers: peersOf(node),
    stash: data === undefined
      ? null
      : {
          version: stash.currentVersion(),
          confidants: stash.confidants().map(c => ({ id: c.id, name: c.name })),
          lastStoredAt: stash.lastStoredAt() ?? null,
          text: new TextDecoder().decode(data)
        },
    held: [...stash.stored.values()].map(s => ({
      ownerId: s.ownerId,
      ownerName: runtime.keyring.get(s.ownerId)?.name ?? '',
      bytes: s.ciphertext.byteLength,
      version: s.version,
      storedAt: s.storedAt
    })),
    stats: runtime.stats()
  }
}
