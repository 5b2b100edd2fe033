import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  id: string
  kind: string
  version: number
  fromId: string
  fromName: string
  toId: string
  timestamp: number
  inReplyTo: string
  payload: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(18)
          w.string(obj.kind)
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(24)
          w.uint32(obj.version)
        }

        if ((obj.fromId != null && obj.fromId !== '')) {
          w.uint32(34)
          w.string(obj.fromId)
        }

        if ((obj.fromName != null && obj.fromName !== '')) {
          w.uint32(42)
          w.string(obj.fromName)
        }

        if ((obj.toId != null && obj.toId !== '')) {
          w.uint32(50)
          w.string(obj.toId)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.timestamp)
        }

        if ((obj.inReplyTo != null && obj.inReplyTo !== '')) {
          w.uint32(66)
          w.string(obj.inReplyTo)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          kind: '',
          version: 0,
          fromId: '',
          fromName: '',
          toId: '',
          timestamp: 0,
          inReplyTo: '',
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
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
              obj.kind = reader.string()
              break
            }
            case 3: {
              obj.version = reader.uint32()
              break
            }
            case 4: {
              obj.fromId = reader.string()
              break
            }
            case 5: {
              obj.fromName = reader.string()
              break
            }
            case 6: {
              obj.toId = reader.string()
              break
            }
            case 7: {
              obj.timestamp = reader.uint64Number()
              break
            }
            case 8: {
              obj.inReplyTo = reader.string()
              break
            }
            case 9: {
              obj.payload = reader.bytes()
              break
            }
            case 10: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.fromId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.fromName`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.toId`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.inReplyTo`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.signature`,
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

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface EnvelopeKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeFromIdFieldEvent {
    field: '$.fromId'
    value: string
  }

  export interface EnvelopeFromNameFieldEvent {
    field: '$.fromName'
    value: string
  }

  export interface EnvelopeToIdFieldEvent {
    field: '$.toId'
    value: string
  }

  export interface EnvelopeTimestampFieldEvent {
    field: '$.timestamp'
    value: number
  }

  export interface EnvelopeInReplyToFieldEvent {
    field: '$.inReplyTo'
    value: string
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeIdFieldEvent | EnvelopeKindFieldEvent | EnvelopeVersionFieldEvent | EnvelopeFromIdFieldEvent | EnvelopeFromNameFieldEvent | EnvelopeToIdFieldEvent | EnvelopeTimestampFieldEvent | EnvelopeInReplyToFieldEvent | EnvelopePayloadFieldEvent | EnvelopeSignatureFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}
