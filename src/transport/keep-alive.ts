import { TimeoutError, type AbortOptions, type MessageStream, type StreamMuxer, type StreamMuxerFactory } from '@libp2p/interface'
import { warnPatchOff } from './patch-off.js'

/** How often a connection's muxer pings, and how long a ping may go unanswered. */
export interface KeepAliveInit {
  /** each connection is pinged once per this long, from each end */
  intervalMs: number
  /** a ping unanswered for this long aborts the connection */
  timeoutMs: number
}

/** A muxer that can ping its peer: yamux's ping frame, answered inside the peer's muxer. */
interface PingingMuxer extends StreamMuxer {
  ping(options?: AbortOptions): Promise<number>
}

/**
 * Gives a muxer's keep-alive a deadline: each end pings the connection once per
 * interval (a yamux ping frame, no stream) and aborts it when the answer does not come
 * in time. This is how a connection that died silently (a frozen peer, a cut cable, a
 * black-holed route) is found and closed. Yamux's own keep-alive pings every 30 s but
 * never gives up, and libp2p's connection monitor opens a ping stream per connection:
 * dropping those streams took an idle swarm of 50 from 0.57 to 0.52–0.54 cores.
 * Configure the muxer with its own keep-alive off; this one replaces it, and
 * still keeps NAT mappings open. A muxer that cannot ping runs without it, with one warning.
 */
export function keepAliveWithDeadline (muxer: () => StreamMuxerFactory, init: KeepAliveInit): () => StreamMuxerFactory {
  return () => {
    const factory = muxer()
    const createStreamMuxer = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn) => {
      const created = createStreamMuxer(maConn)
      if (typeof (created as Partial<PingingMuxer>).ping !== 'function') {
        warnPatchOff('keepAliveWithDeadline', `the ${factory.protocol} muxer has no ping()`)
        return created
      }
      keepAlive(created as PingingMuxer, maConn, init)
      return created
    }
    return factory
  }
}

function keepAlive (muxer: PingingMuxer, maConn: MessageStream, { intervalMs, timeoutMs }: KeepAliveInit): void {
  const ping = (): void => {
    const signal = AbortSignal.timeout(timeoutMs)
    muxer.ping({ signal }).catch((err: Error) => {
      if (muxer.status !== 'open') return
      const dead = signal.aborted ? new TimeoutError(`no answer to a keep-alive ping within ${timeoutMs} ms`) : err
      maConn.log('keep-alive ping failed, aborting the connection: %s', dead.message)
      // what the muxer itself does when its input fails: its streams, then the transport
      muxer.abort(dead)
      maConn.abort(dead)
    })
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const schedule = (ms: number): void => {
    timer = setTimeout(() => {
      if (muxer.status !== 'open') return
      ping()
      schedule(intervalMs)
    }, ms)
    timer.unref?.()
  }
  // a random first ping: a node's connections, opened together, do not ping together
  schedule(Math.random() * intervalMs)
  maConn.addEventListener('close', () => { clearTimeout(timer) }, { once: true })
}
