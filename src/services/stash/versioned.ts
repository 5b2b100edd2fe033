/** Bytes the version takes at the front of the sealed plaintext. */
export const VERSION_BYTES = 8

/**
 * The plaintext stash seals: the version first, then the data. The version
 * travels in the clear too (confidants compare versions), but only the sealed
 * copy is trusted: a confidant cannot pass an older stash off as a newer one.
 */
export function withVersion (version: number, data: Uint8Array): Uint8Array {
  const framed = new Uint8Array(VERSION_BYTES + data.byteLength)
  new DataView(framed.buffer).setBigUint64(0, BigInt(version))
  framed.set(data, VERSION_BYTES)
  return framed
}

/** Splits what `withVersion` made; undefined when it is too short to hold a version. */
export function splitVersion (framed: Uint8Array): { version: number, data: Uint8Array } | undefined {
  if (framed.byteLength < VERSION_BYTES) return undefined
  const version = Number(new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getBigUint64(0))
  return { version, data: framed.subarray(VERSION_BYTES) }
}

