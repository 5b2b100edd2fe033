import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StashStore {
  ownerId: string
  version: number
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace StashStore {
  let _codec: Codec<StashStore>

  export const codec = (): Codec<StashStore> => {
    if (_codec == null) {
      _codec = message<StashStore>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.version)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: '',
          version: 0,
          nonce: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
              break
            }
            case 2: {
              obj.version = reader.uint64Number()
              break
            }
            case 3: {
              obj.nonce = reader.bytes()
              break
            }
            case 4: {
              obj.ciphertext = reader.bytes()
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
                field: `${prefix}.ownerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.ciphertext`,
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

  export interface StashStoreOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export interface StashStoreVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface StashStoreNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StashStoreCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StashStore>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashStore.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashStore>): StashStore {
    return decodeMessage(buf, StashStore.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashStore>): Generator<StashStoreOwnerIdFieldEvent | StashStoreVersionFieldEvent | StashStoreNonceFieldEvent | StashStoreCiphertextFieldEvent> {
    return streamMessage(buf, StashStore.codec(), opts)
  }
}

export interface StashAck {
  ownerId: string
  version: number
}

export namespace StashAck {
  let _codec: Codec<StashAck>

  export const codec = (): Codec<StashAck> => {
    if (_codec == null) {
      _codec = message<StashAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: '',
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
              break
            }
            case 2: {
              obj.version = reader.uint64Number()
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
                field: `${prefix}.ownerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
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

  export interface StashAckOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export interface StashAckVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export function encode (obj: Partial<StashAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashAck>): StashAck {
    return decodeMessage(buf, StashAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashAck>): Generator<StashAckOwnerIdFieldEvent | StashAckVersionFieldEvent> {
    return streamMessage(buf, StashAck.codec(), opts)
  }
}

export interface StashRequest {
  ownerId: string
}

export namespace StashRequest {
  let _codec: Codec<StashRequest>

  export const codec = (): Codec<StashRequest> => {
    if (_codec == null) {
      _codec = message<StashRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
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
                field: `${prefix}.ownerId`,
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

  export interface StashRequestOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export function encode (obj: Partial<StashRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRequest>): StashRequest {
    return decodeMessage(buf, StashRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRequest>): Generator<StashRequestOwnerIdFieldEvent> {
    return streamMessage(buf, StashRequest.codec(), opts)
  }
}

export interface StashResponse {
  ownerId: string
  found: boolean
  version: number
  nonce: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace StashResponse {
  let _codec: Codec<StashResponse>

  export const codec = (): Codec<StashResponse> => {
    if (_codec == null) {
      _codec = message<StashResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if ((obj.found != null && obj.found !== false)) {
          w.uint32(16)
          w.bool(obj.found)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.version)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.nonce)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: '',
          found: false,
          version: 0,
          nonce: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
              break
            }
            case 2: {
              obj.found = reader.bool()
              break
            }
            case 3: {
              obj.version = reader.uint64Number()
              break
            }
            case 4: {
              obj.nonce = reader.bytes()
              break
            }
            case 5: {
              obj.ciphertext = reader.bytes()
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
                field: `${prefix}.ownerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.found`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ciphertext`,
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

  export interface StashResponseOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export interface StashResponseFoundFieldEvent {
    field: '$.found'
    value: boolean
  }

  export interface StashResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface StashResponseNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface StashResponseCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StashResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashResponse>): StashResponse {
    return decodeMessage(buf, StashResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashResponse>): Generator<StashResponseOwnerIdFieldEvent | StashResponseFoundFieldEvent | StashResponseVersionFieldEvent | StashResponseNonceFieldEvent | StashResponseCiphertextFieldEvent> {
    return streamMessage(buf, StashResponse.codec(), opts)
  }
}

export interface StashRefresh {
  addresses: string[]
}

export namespace StashRefresh {
  let _codec: Codec<StashRefresh>

  export const codec = (): Codec<StashRefresh> => {
    if (_codec == null) {
      _codec = message<StashRefresh>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.addresses != null && obj.addresses.length > 0) {
          for (const value of obj.addresses) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          addresses: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addresses != null && obj.addresses.length === opts.limits.addresses) {
                throw new MaxLengthError('Decode error - repeated field "addresses" had too many elements')
              }

              obj.addresses.push(reader.string())
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

  export interface StashRefreshAddressesFieldEvent {
    field: '$.addresses[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<StashRefresh>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashRefresh.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRefresh>): StashRefresh {
    return decodeMessage(buf, StashRefresh.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRefresh>): Generator<StashRefreshAddressesFieldEvent> {
    return streamMessage(buf, StashRefresh.codec(), opts)
  }
}

export interface StashRecovered {
  count: number
  version: number
}

export namespace StashRecovered {
  let _codec: Codec<StashRecovered>

  export const codec = (): Codec<StashRecovered> => {
    if (_codec == null) {
      _codec = message<StashRecovered>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(8)
          w.uint32(obj.count)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.version)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          count: 0,
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.count = reader.uint32()
              break
            }
            case 2: {
              obj.version = reader.uint64Number()
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
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
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

  export interface StashRecoveredCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface StashRecoveredVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export function encode (obj: Partial<StashRecovered>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashRecovered.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRecovered>): StashRecovered {
    return decodeMessage(buf, StashRecovered.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashRecovered>): Generator<StashRecoveredCountFieldEvent | StashRecoveredVersionFieldEvent> {
    return streamMessage(buf, StashRecovered.codec(), opts)
  }
}

export interface StashAudit {
  ownerId: string
  challenge: Uint8Array<ArrayBuffer>
}

export namespace StashAudit {
  let _codec: Codec<StashAudit>

  export const codec = (): Codec<StashAudit> => {
    if (_codec == null) {
      _codec = message<StashAudit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if ((obj.challenge != null && obj.challenge.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.challenge)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: '',
          challenge: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
              break
            }
            case 2: {
              obj.challenge = reader.bytes()
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
                field: `${prefix}.ownerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.challenge`,
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

  export interface StashAuditOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export interface StashAuditChallengeFieldEvent {
    field: '$.challenge'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StashAudit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashAudit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashAudit>): StashAudit {
    return decodeMessage(buf, StashAudit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashAudit>): Generator<StashAuditOwnerIdFieldEvent | StashAuditChallengeFieldEvent> {
    return streamMessage(buf, StashAudit.codec(), opts)
  }
}

export interface StashProof {
  ownerId: string
  found: boolean
  version: number
  proof: Uint8Array<ArrayBuffer>
}

export namespace StashProof {
  let _codec: Codec<StashProof>

  export const codec = (): Codec<StashProof> => {
    if (_codec == null) {
      _codec = message<StashProof>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ownerId != null && obj.ownerId !== '')) {
          w.uint32(10)
          w.string(obj.ownerId)
        }

        if ((obj.found != null && obj.found !== false)) {
          w.uint32(16)
          w.bool(obj.found)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.version)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.proof)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ownerId: '',
          found: false,
          version: 0,
          proof: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ownerId = reader.string()
              break
            }
            case 2: {
              obj.found = reader.bool()
              break
            }
            case 3: {
              obj.version = reader.uint64Number()
              break
            }
            case 4: {
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
                field: `${prefix}.ownerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.found`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
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

  export interface StashProofOwnerIdFieldEvent {
    field: '$.ownerId'
    value: string
  }

  export interface StashProofFoundFieldEvent {
    field: '$.found'
    value: boolean
  }

  export interface StashProofVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface StashProofProofFieldEvent {
    field: '$.proof'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<StashProof>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StashProof.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashProof>): StashProof {
    return decodeMessage(buf, StashProof.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StashProof>): Generator<StashProofOwnerIdFieldEvent | StashProofFoundFieldEvent | StashProofVersionFieldEvent | StashProofProofFieldEvent> {
    return streamMessage(buf, StashProof.codec(), opts)
  }
}

export interface SealedStash {
  version: number
  confidants: SealedConfidant[]
  data: Uint8Array<ArrayBuffer>
}

export namespace SealedStash {
  let _codec: Codec<SealedStash>

  export const codec = (): Codec<SealedStash> => {
    if (_codec == null) {
      _codec = message<SealedStash>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.version)
        }

        if (obj.confidants != null && obj.confidants.length > 0) {
          for (const value of obj.confidants) {
            w.uint32(18)
            SealedConfidant.codec().encode(value, w)
          }
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          confidants: [],
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint64Number()
              break
            }
            case 2: {
              if (opts.limits?.confidants != null && obj.confidants.length === opts.limits.confidants) {
                throw new MaxLengthError('Decode error - repeated field "confidants" had too many elements')
              }

              obj.confidants.push(SealedConfidant.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.confidants$
              }))
              break
            }
            case 3: {
              obj.data = reader.bytes()
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
          confidants: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              if (opts.limits?.confidants != null && obj.confidants === opts.limits.confidants) {
                throw new MaxLengthError('Streaming decode error - repeated field "confidants" had too many elements')
              }

              for (const evt of SealedConfidant.codec().stream(reader, reader.uint32(), `${prefix}.confidants[]`, {
                limits: opts.limits?.confidants$
              })) {
                yield {
                  ...evt,
                  index: obj.confidants
                }
              }

              obj.confidants++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
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

  export interface SealedStashVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SealedStashConfidantsIdFieldEvent {
    field: '$.confidants[].id'
    value: string
    index: number
  }

  export interface SealedStashConfidantsNameFieldEvent {
    field: '$.confidants[].name'
    value: string
    index: number
  }

  export interface SealedStashConfidantsPublicKeyFieldEvent {
    field: '$.confidants[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SealedStashDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedStash>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedStash.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedStash>): SealedStash {
    return decodeMessage(buf, SealedStash.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedStash>): Generator<SealedStashVersionFieldEvent | SealedStashConfidantsIdFieldEvent | SealedStashConfidantsNameFieldEvent | SealedStashConfidantsPublicKeyFieldEvent | SealedStashDataFieldEvent> {
    return streamMessage(buf, SealedStash.codec(), opts)
  }
}

export interface SealedConfidant {
  id: string
  name: string
  publicKey: Uint8Array<ArrayBuffer>
}

export namespace SealedConfidant {
  let _codec: Codec<SealedConfidant>

  export const codec = (): Codec<SealedConfidant> => {
    if (_codec == null) {
      _codec = message<SealedConfidant>((obj, w, opts = {}) => {
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

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.publicKey)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          publicKey: uint8ArrayAlloc(0)
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
              obj.publicKey = reader.bytes()
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
                field: `${prefix}.publicKey`,
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

  export interface SealedConfidantIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface SealedConfidantNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface SealedConfidantPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SealedConfidant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SealedConfidant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedConfidant>): SealedConfidant {
    return decodeMessage(buf, SealedConfidant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SealedConfidant>): Generator<SealedConfidantIdFieldEvent | SealedConfidantNameFieldEvent | SealedConfidantPublicKeyFieldEvent> {
    return streamMessage(buf, SealedConfidant.codec(), opts)
  }
}
