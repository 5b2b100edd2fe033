import type { NaraID } from '../identity/index.js'
import type { Emission } from './emit.js'
import type { PipelineOutcome } from './pipeline.js'
import type { Receipt } from './receive.js'
import type { ReceiveOutcome } from './transport.js'

/** One network message as it went through the receive or the emit pipeline. */
export interface Traffic {
  readonly direction: 'in' | 'out'
  /** the envelope's kind; '' when an inbound envelope could not be decoded */
  readonly kind: string
  /**
   * The sender (in: as its envelope claims; a dropped one may lie) or the recipient (out).
   * Absent for an outbound broadcast and an inbound envelope that could not be decoded.
   */
  readonly peer?: { readonly id: NaraID, readonly name: string }
  /** envelope size; absent for an emit that failed (it may not have become an envelope) */
  readonly bytes?: number
  /** ms since the Unix epoch */
  readonly at: number
  /** 'accepted' (in: passed every stage; out: left this node), or why not: a drop code or error name */
  readonly outcome: string
}

/** Told of each message in or out (the inspector's live feed). */
export type TrafficListener = (traffic: Traffic) => void

/**
 * The listeners of `NaraRuntime.observe`. Callers check `listening` before they
 * build a record, so a node nobody watches pays one size check per message.
 */
export class TrafficObservers {
  private readonly listeners = new Set<TrafficListener>()

  constructor (private readonly onListenerError: (err: unknown) => void) {}

  get listening (): boolean {
    return this.listeners.size > 0
  }

  add (listener: TrafficListener): () => void {
    // wrapped, so the same function added twice is two subscriptions with their own unsubscribe
    const entry: TrafficListener = (t) => { listener(t) }
    this.listeners.add(entry)
    return () => { this.listeners.delete(entry) }
  }

  /** Tells every listener; one that throws is reported and cannot break the pipeline. */
  tell (traffic: Traffic): void {
    for (const listener of this.listeners) {
      try {
        listener(traffic)
      } catch (err) {
        this.onListenerError(err)
      }
    }
  }
}

/** The record of an inbound envelope, from what the receive pipeline made of it. */
export function inboundTraffic (receipt: Receipt, outcome: ReceiveOutcome, at: number): Traffic {
  const e = receipt.envelope
  return {
    direction: 'in',
    kind: e?.kind ?? '',
    ...(e !== undefined && e.fromId !== '' ? { peer: { id: e.fromId, name: e.fromName } } : {}),
    bytes: receipt.bytes.byteLength,
    at,
    outcome: outcome.accepted ? 'accepted' : outcome.reason.code
  }
}

/** The record of an emission, or undefined for a local kind (it never touches the network). */
export async function outboundTraffic (emission: Emission, outcome: PipelineOutcome<Emission>, peerName: (id: NaraID) => string | undefined, at: number): Promise<Traffic | undefined> {
  const { outgoing, behavior } = emission
  if (behavior.template === 'local') return undefined
  const to = outgoing.to
  const peer = to === undefined ? {} : { peer: { id: to, name: peerName(to) ?? '' } }
  if (outcome.status !== 'done') {
    const why = outcome.status === 'dropped' ? outcome.reason.code : outcome.error.name
    return { direction: 'out', kind: outgoing.kind, ...peer, at, outcome: why }
  }
  const { message, envelopeFor } = outcome.value
  // the envelope the sign stage made (memoised there), not a second signature
  const bytes = message !== undefined && envelopeFor !== undefined ? (await envelopeFor(message.version)).byteLength : undefined
  return { direction: 'out', kind: outgoing.kind, ...peer, ...(bytes !== undefined ? { bytes } : {}), at, outcome: 'accepted' }
}
