import type { Traffic, TrafficListener } from '../runtime/index.js'

/** Where one page's server-sent events go: the hijacked `http.ServerResponse`. */
export interface EventSink {
  /** bytes written but not yet flushed to the socket */
  readonly writableLength: number
  write(chunk: string): boolean
  end(): void
}

/** One event in the text/event-stream format. */
export function sseFrame (event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/**
 * One page's event stream. A page that reads slower than this nara talks would
 * make the socket buffer grow without bound, so an event that would push the
 * unflushed bytes past `maxBuffered` is skipped and counted instead; once there is
 * room again the page is told how many it missed (a `skipped` event).
 */
export class EventStream {
  /** events skipped so far because the page was not keeping up */
  skipped = 0
  private unreported = 0

  constructor (private readonly sink: EventSink, private readonly maxBuffered: number) {}

  send (frame: string): void {
    const queued = this.sink.writableLength
    // an empty buffer always takes the next event, however big
    if (queued > 0 && queued + Buffer.byteLength(frame) > this.maxBuffered) {
      this.skipped++
      this.unreported++
      return
    }
    if (this.unreported > 0) {
      this.sink.write(sseFrame('skipped', { total: this.skipped }))
      this.unreported = 0
    }
    this.sink.write(frame)
  }

  end (): void {
    this.sink.end()
  }
}

export interface LiveFeedSource {
  /** subscribes to the node's traffic; returns the unsubscribe */
  observe(listener: TrafficListener): () => void
  /** the state the page shows besides the feed */
  snapshot(): unknown
}

export interface LiveFeedOptions {
  /** unflushed bytes a page may have before its events are skipped @default 256 KiB */
  maxBufferedBytes?: number
  /** how often the snapshot is pushed @default 1000 */
  snapshotIntervalMs?: number
}

/**
 * Pushes a node's state (a `snapshot` event every interval) and its traffic (one
 * `traffic` event per message) to every attached page. It observes the node only
 * while at least one page is attached, so an unwatched node pays nothing.
 */
export class LiveFeed {
  private readonly streams = new Set<EventStream>()
  private readonly maxBuffered: number
  private readonly intervalMs: number
  private stopObserving?: () => void
  private timer?: NodeJS.Timeout

  constructor (private readonly source: LiveFeedSource, options: LiveFeedOptions = {}) {
    this.maxBuffered = options.maxBufferedBytes ?? 256 * 1024
    this.intervalMs = options.snapshotIntervalMs ?? 1_000
  }

  /** How many pages are attached. */
  get size (): number {
    return this.streams.size
  }

  /** Attaches a page: it gets a snapshot at once, then the live events. Returns the detach function. */
  attach (sink: EventSink): { stream: EventStream, detach: () => void } {
    const stream = new EventStream(sink, this.maxBuffered)
    stream.send(sseFrame('snapshot', this.source.snapshot()))
    this.streams.add(stream)
    if (this.streams.size === 1) this.startWatching()
    return { stream, detach: () => { this.detach(stream) } }
  }

  /** Ends every page's stream (the server is closing). */
  close (): void {
    for (const stream of [...this.streams]) {
      this.detach(stream)
      stream.end()
    }
  }

  private detach (stream: EventStream): void {
    if (!this.streams.delete(stream)) return
    if (this.streams.size === 0) this.stopWatching()
  }

  private startWatching (): void {
    this.stopObserving = this.source.observe((traffic: Traffic) => { this.broadcast(sseFrame('traffic', traffic)) })
    this.timer = setInterval(() => { this.broadcast(sseFrame('snapshot', this.source.snapshot())) }, this.intervalMs)
    this.timer.unref()
  }

  private stopWatching (): void {
    this.stopObserving?.()
    this.stopObserving = undefined
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One serialisation shared by every page. */
  private broadcast (frame: string): void {
    for (const stream of this.streams) stream.send(frame)
  }
}
