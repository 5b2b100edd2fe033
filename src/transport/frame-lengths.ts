import { warnPatchOff } from './patch-off.js'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'

/** What noise reads its frames with: @libp2p/utils's LengthPrefixedDecoder, whose length reader is a plain field. */
interface FrameReader { lengthDecoder: (data: Bytes) => number }
/** A Uint8Array, or a Uint8ArrayList (noise's own copy of the package: typed by shape). */
type Bytes = Uint8Array | { readonly length: number, get: (index: number) => number }

/**
 * Fewer than 2 bytes buffered: the decoder catches any RangeError as "wait for more".
 * Thrown as one object made once, so no read builds an error and its stack trace.
 */
const NEED_MORE_BYTES = new RangeError('fewer than 2 bytes buffered for a Noise frame length')

/** A Noise frame's 2-byte big-endian length, read in place. */
export function readFrameLength (data: Bytes): number {
  if (data.length < 2) throw NEED_MORE_BYTES
  return data instanceof Uint8Array ? (data[0] << 8) | data[1] : (data.get(0) << 8) | data.get(1)
}

/**
 * Makes a connection encrypter read each frame's length without building an error.
 *
 * Noise 17 reads frame lengths with a function that throws a new RangeError whenever
 * fewer than 2 bytes are buffered, and its frame decoder catches that as "wait for the
 * next chunk". Every chunk read ends that way, so every read received paid for a new
 * error and its stack trace: about a tenth of a warm call's CPU (docs/upstream.md).
 * The patched reader gives the same answers and throws one error made once.
 *
 * A connection whose frame reader is not where the patch looks is left as it is, with
 * one warning.
 */
export function frameLengthsWithoutErrors<C> (encrypter: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return (components) => {
    // patch the instance rather than wrap it: libp2p reads the encrypter's own symbols (capabilities)
    const inner = encrypter(components)
    const secureInbound = inner.secureInbound.bind(inner)
    const secureOutbound = inner.secureOutbound.bind(inner)
    inner.secureInbound = async (connection, options) => readLengthsInPlace(await secureInbound(connection, options))
    inner.secureOutbound = async (connection, options) => readLengthsInPlace(await secureOutbound(connection, options))
    return inner
  }
}

function readLengthsInPlace<S extends SecuredConnection> (secured: S): S {
  const reader = (secured.connection as { decoder?: Partial<FrameReader> }).decoder
  if (typeof reader?.lengthDecoder !== 'function') {
    warnPatchOff('frameLengthsWithoutErrors', 'the secured connection has no decoder.lengthDecoder to replace')
    return secured
  }
  reader.lengthDecoder = readFrameLength
  return secured
}
