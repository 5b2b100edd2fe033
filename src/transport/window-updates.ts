import { StreamState, type YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { warnPatchOff } from './patch-off.js'
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

/** The receive-window fields of a YamuxStream that its TypeScript declarations keep private. */
interface ReceiveWindow {
  recvWindow: number
  recvWindowCapacity: number
}

/** What the muxer uses to make each stream, inbound and outbound (private in its declarations). */
interface StreamMaker {
  _newStream(...args: unknown[]): YamuxStream
}

/**
 * Makes a yamux muxer grant a stream's peer more window only once half of the window
 * is used up, as go-yamux does, instead of after every data frame.
 *
 * @chainsafe/libp2p-yamux 8 answers each data frame it receives with a window-update
 * frame: one more encrypted frame and socket write per message. Gossip is many small
 * messages, so on the bootstrap node of a 50-nara swarm these updates took a tenth of
 * its CPU while it was taking in joins (CPU profile). The window (256 KiB and up) is
 * never exhausted by waiting for half of it, so a sender never stalls; updates that
 * carry a flag (the SYN or ACK that opens a stream) still go out at once.
 *
 * A yamux without the private members hooked here runs unpatched, with one warning.
 */
export function halfWindowUpdates (muxer: () => StreamMuxerFactory): () => StreamMuxerFactory {
  return () => {
    const factory = muxer()
    const createStreamMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (connection) => lazyUpdates(createStreamMuxer(connection))
    return factory
  }
}

function lazyUpdates (muxer: StreamMuxer): StreamMuxer {
  const maker = muxer as unknown as StreamMaker
  if (typeof maker._newStream !== 'function') {
    warnPatchOff('halfWindowUpdates', 'this @chainsafe/libp2p-yamux has no _newStream to hook')
    return muxer
  }
  const newStream = maker._newStream.bind(muxer)
  maker._newStream = (...args) => {
    const stream = newStream(...args)
    const window = stream as unknown as Partial<ReceiveWindow>
    if (typeof stream.sendWindowUpdate !== 'function' || typeof window.recvWindow !== 'number' || typeof window.recvWindowCapacity !== 'number') {
      warnPatchOff('halfWindowUpdates', 'this @chainsafe/libp2p-yamux\'s streams have no sendWindowUpdate, recvWindow and recvWindowCapacity to hook')
      return stream
    }
    const sendWindowUpdate = stream.sendWindowUpdate.bind(stream)
    const open = window as ReceiveWindow
    stream.sendWindowUpdate = () => {
      // an established stream sends no flags: its update can wait for half a window
      if (stream.state === StreamState.Established && open.recvWindow - open.recvWindowCapacity < open.recvWindow / 2) return
      sendWindowUpdate()
    }
    return stream
  }
  return muxer
}
