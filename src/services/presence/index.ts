export { PresenceService } from './service.js'
export type { PresenceOptions } from './service.js'
export { OFFLINE_REASONS, isMemoryMode } from './payloads.js'
export type { PresenceAnnounce, PresenceChau, PeerChange, OfflineReason } from './payloads.js'
