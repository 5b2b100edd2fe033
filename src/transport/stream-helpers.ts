import { CLOSE_TIMEOUT_MS } from './constants.js'
import type { Stream } from '@libp2p/interface'

/**
 * Dial errors worth a peer-routing lookup: the addresses we had did not work. A
 * peer that answered but does not speak the protocol will not change its mind.
 */
export function isStaleAddressFailure (err: Error): boolean {
  return err.name !== 'UnsupportedProtocolError' && err.name !== 'NoValidAddressesError'
}

/** Waits for `work` unless the signal aborts first (the work itself goes on, shared with others). */
export async function raceSignal<T> (work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason
  let onAbort = (): void => {}
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** Aborts the stream with the error and hands the error back, for `throw abortWith(...)`. */
export function abortWith (stream: Stream, err: Error): Error {
  stream.abort(err)
  return err
}

/** Closes our writable end, waiting briefly for buffered data to leave; aborts if that stalls. */
export async function closeGracefully (stream: Stream): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(err as Error)
  }
}
