import { MEMORY_MODES, protobufPayload, type MemoryMode, type Payload } from '../../runtime/index.js'
import * as wire from '../../../protocols/presence.js'

/**
 * Why a peer left the online list: it said goodbye, it stopped announcing itself,
 * it restarted (its uptime went down: whatever it kept in memory is gone, and a
 * peer-online follows at once), or a nara connected to it lost it without a goodbye
 * and could not reach it again (presence:gone; a crash, most often).
 */
export type OfflineReason = 'chau' | 'silent' | 'restarted' | 'gone'
export const OFFLINE_REASONS: readonly OfflineReason[] = ['chau', 'silent', 'restarted', 'gone']

/** Narrows a wire string to a memory mode. */
export function isMemoryMode (value: string): value is MemoryMode {
  return (MEMORY_MODES as readonly string[]).includes(value)
}

/** Addresses one announcement may carry, and the longest one. */
export const MAX_ANNOUNCED_ADDRESSES = 8
const MAX_ADDRESS_LENGTH = 256

function checkAnnounce (p: Payload<wire.PresenceAnnounce>): string | undefined {
  if (!isMemoryMode(p.memoryMode)) return `memory mode must be one of ${MEMORY_MODES.join('|')}, got "${p.memoryMode}"`
  if (!Number.isSafeInteger(p.uptimeMs) || p.uptimeMs < 0) return `uptime must be a non-negative integer, got ${p.uptimeMs}`
  if (p.addresses.length > MAX_ANNOUNCED_ADDRESSES) return `at most ${MAX_ANNOUNCED_ADDRESSES} addresses, got ${p.addresses.length}`
  if (p.addresses.some(a => a.length > MAX_ADDRESS_LENGTH)) return `an address is longer than ${MAX_ADDRESS_LENGTH} characters`
  return undefined
}

function checkPeer (p: Payload<wire.PeerChange>): string | undefined {
  if (p.id === '') return 'peer id is missing'
  if (p.name === '') return 'peer name is missing'
  return undefined
}

/** presence:hey-there — broadcast at boot and as a heartbeat. */
export const PresenceAnnounceCodec = protobufPayload('PresenceAnnounce', wire.PresenceAnnounce, checkAnnounce)

/** Relayed announcements one welcome may carry, and the largest of them (a hey-there's limit). */
export const MAX_WELCOME_KNOWN = 48
export const MAX_HEY_THERE_BYTES = 1024
const PUBLIC_KEY_BYTES = 32
/** A broadcast's proof: a gossipsub sequence number and signature (72 bytes), or a memory network's signature. */
const MAX_PROOF_BYTES = 128

/** presence:howdy — a welcomer's announcement and the hey-there of naras it sees online, each with its broadcast's signature. */
export const PresenceWelcomeCodec = protobufPayload('PresenceWelcome', wire.PresenceWelcome, (p) => {
  if (p.announce === undefined) return 'the welcomer\'s own announcement is missing'
  if (p.known.length > MAX_WELCOME_KNOWN) return `at most ${MAX_WELCOME_KNOWN} relayed announcements, got ${p.known.length}`
  if (p.known.some(k => k.publicKey.byteLength !== PUBLIC_KEY_BYTES)) return `a relayed public key is not ${PUBLIC_KEY_BYTES} bytes`
  if (p.known.some(k => k.envelope.byteLength > MAX_HEY_THERE_BYTES)) return `a relayed announcement exceeds ${MAX_HEY_THERE_BYTES} bytes`
  if (p.known.some(k => k.proof.byteLength > MAX_PROOF_BYTES)) return `a relayed announcement's proof exceeds ${MAX_PROOF_BYTES} bytes`
  return checkAnnounce(p.announce)
})

/** presence:chau — broadcast on graceful stop. */
export const PresenceChauCodec = protobufPayload('PresenceChau', wire.PresenceChau)

/** The longest id a presence:gone may name (a NaraID, base58 of 20 bytes, has at most 28 characters). */
const MAX_NARA_ID_LENGTH = 64

/** presence:gone — a neighbour lost a peer without a chau and could not reach it again. */
export const PeerGoneCodec = protobufPayload('PeerGone', wire.PeerGone, (p) => {
  if (p.id === '') return 'the id of the nara gone is missing'
  if (p.id.length > MAX_NARA_ID_LENGTH) return `a NaraID is at most ${MAX_NARA_ID_LENGTH} characters, got ${p.id.length}`
  return undefined
})

/** presence:still-there — empty: that it arrives is the answer. */
export const StillThereCodec = protobufPayload('StillThere', wire.StillThere)

/** presence:peer-online — local; an online event carries no reason. */
export const PeerOnlineCodec = protobufPayload('PeerChange', wire.PeerChange, (p) =>
  checkPeer(p) ?? (p.reason !== '' ? 'an online change has no reason' : undefined))

/** presence:peer-offline — local; the reason is one of OFFLINE_REASONS. */
export const PeerOfflineCodec = protobufPayload('PeerChange', wire.PeerChange, (p) =>
  checkPeer(p) ?? ((OFFLINE_REASONS as readonly string[]).includes(p.reason)
    ? undefined
    : `reason must be one of ${OFFLINE_REASONS.join('|')}, got "${p.reason}"`))

/** The payload of presence:hey-there: a nara's name, uptime, memory mode and addresses. */
export type PresenceAnnounce = Payload<wire.PresenceAnnounce>
export type PresenceWelcome = Payload<wire.PresenceWelcome>
export type PresenceChau = Payload<wire.PresenceChau>
export type PeerGone = Payload<wire.PeerGone>
/** The payload of presence:peer-online and presence:peer-offline: who, and why it left. */
export type PeerChange = Payload<wire.PeerChange>
