/** One server-sent event. */
export interface SseEvent { event: string, data: any }

/** A text/event-stream read with fetch: wait for the events a test expects, then close. */
export interface EventReader {
  /** resolves with the first event (from the start of the stream) matching `match` not yet taken, or throws after `timeoutMs` */
  next(match: (e: SseEvent) => boolean, what: string, timeoutMs?: number): Promise<SseEvent>
  close(): void
}

export async function readEvents (url: string): Promise<EventReader> {
  const controller = new AbortController()
  const res = await fetch(url, { signal: controller.signal })
  if (!res.ok || res.body === null) throw new Error(`GET ${url}: HTTP ${res.status}`)
  const events: SseEvent[] = []
  let waiting: (() => void) | undefined
  void (async () => {
    const decoder = new TextDecoder()
    let text = ''
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, end)
          text = text.slice(end + 2)
          const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message'
          const data = /^data: (.*)$/m.exec(frame)?.[1]
          if (data !== undefined) events.push({ event, data: JSON.parse(data) })
        }
        waiting?.()
      }
    } catch {
      // aborted by close()
    }
  })()
  return {
    async next (match, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const i = events.findIndex(match)
        if (i >= 0) return events.splice(i, 1)[0]
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, left)
          waiting = () => { clearTimeout(timer); resolve() }
        })
      }
    },
    close () { controller.abort() }
  }
}
