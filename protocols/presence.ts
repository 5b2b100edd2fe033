/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PresenceAnnounce {
  uptimeMs: number
  memoryMode: string
  heartbeatMs: number
}

export namespace PresenceAnnounce {
  let _codec: Codec<PresenceAnnounce>

  export const codec = (): Codec<PresenceAnnounce> => {
    if (_codec == null) {
      _codec = message<PresenceAnnounce>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.uptimeMs)
        }

        if ((obj.memoryMode != null && obj.memoryMode !== '')) {
          w.uint32(18)
          w.string(obj.memoryMode)
        }

        if ((obj.heartbeatMs != null && obj.heartbeatMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.heartbeatMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uptimeMs: 0,
          memoryMode: '',
          heartbeatMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uptimeMs = reader.uint64Number()
              break
            }
            case 2: {
              obj.memoryMode = reader.string()
              break
            }
            case 3: {
              obj.heartbeatMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.uptimeMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.memoryMode`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.heartbeatMs`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PresenceAnnounceUptimeMsFieldEvent {
    field: '$.uptimeMs'
    value: number
  }

  export interface PresenceAnnounceMemoryModeFieldEvent {
    field: '$.memoryMode'
    value: string
  }

  export interface PresenceAnnounceHeartbeatMsFieldEvent {
    field: '$.heartbeatMs'
    value: number
  }

  export function encode (obj: Partial<PresenceAnnounce>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceAnnounce.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnounce>): PresenceAnnounce {
    return decodeMessage(buf, PresenceAnnounce.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnounce>): Generator<PresenceAnnounceUptimeMsFieldEvent | PresenceAnnounceMemoryModeFieldEvent | PresenceAnnounceHeartbeatMsFieldEvent> {
    return streamMessage(buf, PresenceAnnounce.codec(), opts)
  }
}

export interface PresenceChau {}

export namespace PresenceChau {
  let _codec: Codec<PresenceChau>

  export const codec = (): Codec<PresenceChau> => {
    if (_codec == null) {
      _codec = message<PresenceChau>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<PresenceChau>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceChau.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceChau>): PresenceChau {
    return decodeMessage(buf, PresenceChau.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceChau>): Generator<{}> {
    return streamMessage(buf, PresenceChau.codec(), opts)
  }
}

export interface PeerChange {
  id: string
  name: string
  reason: string
}

export namespace PeerChange {
  let _codec: Codec<PeerChange>

  export const codec = (): Codec<PeerChange> => {
    if (_codec == null) {
      _codec = message<PeerChange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PeerChangeIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface PeerChangeNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface PeerChangeReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<PeerChange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerChange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerChange>): PeerChange {
    return decodeMessage(buf, PeerChange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerChange>): Generator<PeerChangeIdFieldEvent | PeerChangeNameFieldEvent | PeerChangeReasonFieldEvent> {
    return streamMessage(buf, PeerChange.codec(), opts)
  }
}
