import { isUint8ArrayList } from 'uint8arraylist'
import { warnPatchOff } from './patch-off.js'
import type { ConnectionEncrypter, MessageStream } from '@libp2p/interface'

/**
 * Makes a connection encrypter hand the socket each frame in one piece.
 *
 * Noise 17 sends every encrypted frame as two chunks, its 2-byte length and the
 * ciphertext, and @libp2p/tcp writes each chunk with its own `socket.write`: two
 * syscalls and two TCP segments per frame. Strace on an idle nara in a swarm of 50
 * counted 145 writes a second, half of them 2 bytes long, and socket writes were the
 * largest single cost in its CPU profile. Joining the chunks costs a copy of a few
 * hundred bytes, far less than a syscall.
 *
 * A connection without a `send` to hook is secured unpatched, with one warning.
 */
export function wholeWrites<C> (encrypter: (components: C) => ConnectionEncrypter): (components: C) => ConnectionEncrypter {
  return (components) => {
    // patch the instance rather than wrap it: libp2p reads the encrypter's own symbols (capabilities)
    const inner = encrypter(components)
    const secureInbound = inner.secureInbound.bind(inner)
    const secureOutbound = inner.secureOutbound.bind(inner)
    inner.secureInbound = async (connection, options) => await secureInbound(sendWhole(connection), options)
    inner.secureOutbound = async (connection, options) => await secureOutbound(sendWhole(connection), options)
    return inner
  }
}

/** The same connection, whose `send` joins a list of chunks into one buffer. */
function sendWhole<S extends MessageStream> (connection: S): S {
  if (typeof connection.send !== 'function') {
    warnPatchOff('wholeWrites', 'the connection handed to the encrypter has no send to hook')
    return connection
  }
  const send = connection.send.bind(connection)
  // noise brings its own copy of uint8arraylist, so no instanceof. subarray() returns a
  // single chunk as it is and copies only lists of several.
  connection.send = (data) => send(isUint8ArrayList(data) ? data.subarray() : data)
  return connection
}
