import { MEMORY_MODES, protobufPayload, type MemoryMode, type Payload } from '../../runtime/index.js'
import * as wire from '../../../protocols/presence.js'

/**
 * Why a peer left the online list: it said goodbye, it stopped announcing itself,
 * or it restarted (its uptime went down: whatever it kept in memory is gone, and a
 * peer-online follows at once).
 */
export type OfflineReason = 'chau' | 'silent' | 'restarted'
export const OFFLINE_REASONS: readonly OfflineReason[] = ['chau', 'silent', 'restarted']

/** Narrows a wire string to a memory mode. */
export function isMemoryMode (value: string): value is MemoryMode {
  return (MEMORY_MODES as readonly string[]).includes(value)
}

function checkAnnounce (p: Payload<wire.PresenceAnnounce>): string | undefined {
  if (!isMemoryMode(p.memoryMode)) return `memory mode must be one of ${MEMORY_MODES.join('|')}, got "${p.memoryMode}"`
  if (!Number.isSafeInteger(p.uptimeMs) || p.uptimeMs < 0) return `uptime must be a non-negative integer, got ${p.uptimeMs}`
  return undefined
}

function checkPeer (p: Payload<wire.PeerChange>): string | undefined {
  if (p.id === '') return 'peer id is missing'
  if (p.name === '') return 'peer name is missing'
  return undefined
}

/** presence:hey-there (broadcast) and presence:howdy (direct answer to a newcomer). */
export const PresenceAnnounceCodec = protobufPayload('PresenceAnnounce', wire.PresenceAnnounce, checkAnnounce)

/** presence:chau — broadcast on graceful stop. */
export const PresenceChauCodec = protobufPayload('PresenceChau', wire.PresenceChau)

/** presence:peer-online — local; an online event carries no reason. */
export const PeerOnlineCodec = protobufPayload('PeerChange', wire.PeerChange, (p) =>
  checkPeer(p) ?? (p.reason !== '' ? 'an online change has no reason' : undefined))

/** presence:peer-offline — local; the reason is one of OFFLINE_REASONS. */
export const PeerOfflineCodec = protobufPayload('PeerChange', wire.PeerChange, (p) =>
  checkPeer(p) ?? ((OFFLINE_REASONS as readonly string[]).includes(p.reason)
    ? undefined
    : `reason must be one of ${OFFLINE_REASONS.join('|')}, got "${p.reason}"`))

export type PresenceAnnounce = Payload<wire.PresenceAnnounce>
export type PresenceChau = Payload<wire.PresenceChau>
export type PeerChange = Payload<wire.PeerChange>
