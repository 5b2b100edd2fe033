/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PresenceAnnounce {
  uptimeMs: number
  memoryMode: string
  heartbeatMs: number
  addresses: string[]
  alone: boolean
  refutesGone: boolean
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

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.alone != null && obj.alone !== false)) {
          w.uint32(40)
          w.bool(obj.alone)
        }

        if ((obj.refutesGone != null && obj.refutesGone !== false)) {
          w.uint32(48)
          w.bool(obj.refutesGone)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uptimeMs: 0,
          memoryMode: '',
          heartbeatMs: 0,
          addresses: [],
          alone: false,
          refutesGone: false
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
            case 4: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
              break
            }
            case 5: {
              obj.alone = reader.bool()
              break
            }
            case 6: {
              obj.refutesGone = reader.bool()
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
        const obj = {
          addresses: 0
        }

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
            case 4: {
              if (opts.limits?.addresses != null && obj.addresses === opts.limits.addresses) {
                throw new MaxLengthError('Streaming decode error - repeated field "addresses" had too many elements')
              }

              yield {
                field: `${prefix}.addresses[]`,
                index: obj.addresses,
                value: reader.string()
              }

              obj.addresses++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.alone`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.refutesGone`,
                value: reader.bool()
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

  export interface PresenceAnnounceAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export interface PresenceAnnounceAloneFieldEvent {
    field: '$.alone'
    value: boolean
  }

  export interface PresenceAnnounceRefutesGoneFieldEvent {
    field: '$.refutesGone'
    value: boolean
  }

  export function encode (obj: Partial<PresenceAnnounce>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceAnnounce.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnounce>): PresenceAnnounce {
    return decodeMessage(buf, PresenceAnnounce.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnounce>): Generator<PresenceAnnounceUptimeMsFieldEvent | PresenceAnnounceMemoryModeFieldEvent | PresenceAnnounceHeartbeatMsFieldEvent | PresenceAnnounceAddressesFieldEvent | PresenceAnnounceAloneFieldEvent | PresenceAnnounceRefutesGoneFieldEvent> {
    return streamMessage(buf, PresenceAnnounce.codec(), opts)
  }
}

export interface PresenceWelcome {
  announce?: PresenceAnnounce
  known: RelayedAnnouncement[]
}

export namespace PresenceWelcome {
  let _codec: Codec<PresenceWelcome>

  export const codec = (): Codec<PresenceWelcome> => {
    if (_codec == null) {
      _codec = message<PresenceWelcome>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.announce != null) {
          w.uint32(10)
          PresenceAnnounce.codec().encode(obj.announce, w)
        }

        if (obj.known != null && obj.known.length > 0) {
          for (const value of obj.known) {
            w.uint32(18)
            RelayedAnnouncement.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          known: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.announce = PresenceAnnounce.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.announce
              })
              break
            }
            case 2: {
              if (opts.limits?.known != null && obj.known.length === opts.limits.known) {
                throw new MaxLengthError('Decode error - repeated field "known" had too many elements')
              }

              obj.known.push(RelayedAnnouncement.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.known$
              }))
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
        const obj = {
          known: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PresenceAnnounce.codec().stream(reader, reader.uint32(), `${prefix}.announce`, {
                limits: opts.limits?.announce
              })

              break
            }
            case 2: {
              if (opts.limits?.known != null && obj.known === opts.limits.known) {
                throw new MaxLengthError('Streaming decode error - repeated field "known" had too many elements')
              }

              for (const evt of RelayedAnnouncement.codec().stream(reader, reader.uint32(), `${prefix}.known[]`, {
                limits: opts.limits?.known$
              })) {
                yield {
                  ...evt,
                  index: obj.known
                }
              }

              obj.known++

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

  export interface PresenceWelcomeAnnounceUptimeMsFieldEvent {
    field: '$.announce.uptimeMs'
    value: number
  }

  export interface PresenceWelcomeAnnounceMemoryModeFieldEvent {
    field: '$.announce.memoryMode'
    value: string
  }

  export interface PresenceWelcomeAnnounceHeartbeatMsFieldEvent {
    field: '$.announce.heartbeatMs'
    value: number
  }

  export interface PresenceWelcomeAnnounceAddressesFieldEvent {
    field: '$.announce.addresses[]'
    index: number
    value: string
  }

  export interface PresenceWelcomeAnnounceAloneFieldEvent {
    field: '$.announce.alone'
    value: boolean
  }

  export interface PresenceWelcomeAnnounceRefutesGoneFieldEvent {
    field: '$.announce.refutesGone'
    value: boolean
  }

  export interface PresenceWelcomeKnownPublicKeyFieldEvent {
    field: '$.known[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceWelcomeKnownEnvelopeFieldEvent {
    field: '$.known[].envelope'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PresenceWelcomeKnownProofFieldEvent {
    field: '$.known[].proof'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<PresenceWelcome>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceWelcome.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceWelcome>): PresenceWelcome {
    return decodeMessage(buf, PresenceWelcome.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceWelcome>): Generator<PresenceWelcomeAnnounceUptimeMsFieldEvent | PresenceWelcomeAnnounceMemoryModeFieldEvent | PresenceWelcomeAnnounceHeartbeatMsFieldEvent | PresenceWelcomeAnnounceAddressesFieldEvent | PresenceWelcomeAnnounceAloneFieldEvent | PresenceWelcomeAnnounceRefutesGoneFieldEvent | PresenceWelcomeKnownPublicKeyFieldEvent | PresenceWelcomeKnownEnvelopeFieldEvent | PresenceWelcomeKnownProofFieldEvent> {
    return streamMessage(buf, PresenceWelcome.codec(), opts)
  }
}

export interface RelayedAnnouncement {
  publicKey: Uint8Array<ArrayBuffer>
  envelope: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>
}

export namespace RelayedAnnouncement {
  let _codec: Codec<RelayedAnnouncement>

  export const codec = (): Codec<RelayedAnnouncement> => {
    if (_codec == null) {
      _codec = message<RelayedAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.publicKey)
        }

        if ((obj.envelope != null && obj.envelope.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.envelope)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.proof)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          publicKey: uint8ArrayAlloc(0),
          envelope: uint8ArrayAlloc(0),
          proof: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.publicKey = reader.bytes()
              break
            }
            case 2: {
              obj.envelope = reader.bytes()
              break
            }
            case 3: {
              obj.proof = reader.bytes()
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
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.envelope`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.proof`,
                value: reader.bytes()
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

  export interface RelayedAnnouncementPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayedAnnouncementEnvelopeFieldEvent {
    field: '$.envelope'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RelayedAnnouncementProofFieldEvent {
    field: '$.proof'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RelayedAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RelayedAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RelayedAnnouncement>): RelayedAnnouncement {
    return decodeMessage(buf, RelayedAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RelayedAnnouncement>): Generator<RelayedAnnouncementPublicKeyFieldEvent | RelayedAnnouncementEnvelopeFieldEvent | RelayedAnnouncementProofFieldEvent> {
    return streamMessage(buf, RelayedAnnouncement.codec(), opts)
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

export interface PeerGone {
  id: string
}

export namespace PeerGone {
  let _codec: Codec<PeerGone>

  export const codec = (): Codec<PeerGone> => {
    if (_codec == null) {
      _codec = message<PeerGone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
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

  export interface PeerGoneIdFieldEvent {
    field: '$.id'
    value: string
  }

  export function encode (obj: Partial<PeerGone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerGone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerGone>): PeerGone {
    return decodeMessage(buf, PeerGone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerGone>): Generator<PeerGoneIdFieldEvent> {
    return streamMessage(buf, PeerGone.codec(), opts)
  }
}

export interface StillThere {}

export namespace StillThere {
  let _codec: Codec<StillThere>

  export const codec = (): Codec<StillThere> => {
    if (_codec == null) {
      _codec = message<StillThere>((obj, w, opts = {}) => {
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

  export function encode (obj: Partial<StillThere>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StillThere.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StillThere>): StillThere {
    return decodeMessage(buf, StillThere.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StillThere>): Generator<{}> {
    return streamMessage(buf, StillThere.codec(), opts)
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
