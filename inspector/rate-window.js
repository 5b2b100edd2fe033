// Messages in and out per second over the last minutes, counted from the page's live
// feed, and the chart's geometry. No DOM here, so it is tested on its own.

/** How far back the chart looks, in one-second buckets. */
export const WINDOW_SECONDS = 300
/** Seconds ahead of the window's end a message may be counted (it came before the next snapshot). */
const AHEAD_SECONDS = 60

/**
 * Counts per second, bounded: only the last WINDOW_SECONDS before the node's clock (as
 * the latest snapshot told it) are kept. Seconds before the page began counting have
 * no value (null), not zero: nothing was seen then.
 */
export class RateWindow {
  constructor (seconds = WINDOW_SECONDS) {
    this.seconds = seconds
    /** second -> { in, out } */
    this.counts = new Map()
    /** the first second counted */
    this.since = undefined
    /** the window's last second */
    this.end = undefined
  }

  /** Counts one message, `direction` 'in' or 'out', at `at` (ms since the Unix epoch). */
  add (direction, at) {
    const second = Math.floor(at / 1000)
    if (this.end !== undefined && (second <= this.end - this.seconds || second > this.end + AHEAD_SECONDS)) return
    const bucket = this.counts.get(second) ?? { in: 0, out: 0 }
    bucket[direction === 'in' ? 'in' : 'out']++
    this.counts.set(second, bucket)
    if (this.since === undefined || second < this.since) this.since = second
  }

  /** Moves the window's end to `now` (ms, the node's clock) and forgets what fell out of it. */
  advance (now) {
    const second = Math.floor(now / 1000)
    if (this.end !== undefined && second <= this.end) return
    this.end = second
    if (this.since === undefined) this.since = second
    for (const s of this.counts.keys()) {
      if (s <= second - this.seconds || s > second + AHEAD_SECONDS) this.counts.delete(s)
    }
  }

  /** How many seconds have been counted, up to the window's end. */
  countedSeconds () {
    return this.end === undefined ? 0 : this.end - this.since + 1
  }

  /**
   * The last `span` seconds (at most the window), oldest first: { in, out } arrays of
   * counts, null for the seconds before counting began.
   */
  series (span = this.seconds) {
    const length = Math.min(span, this.seconds)
    const values = { in: new Array(length).fill(null), out: new Array(length).fill(null) }
    if (this.end === undefined) return values
    for (let i = 0; i < length; i++) {
      const second = this.end - length + 1 + i
      if (second < this.since) continue
      const bucket = this.counts.get(second)
      values.in[i] = bucket?.in ?? 0
      values.out[i] = bucket?.out ?? 0
    }
    return values
  }
}

/**
 * How many seconds the chart shows: the whole minutes counted so far, at least one and at
 * most the window (a page open for seconds is not squeezed into five minutes' width).
 */
export function chartSpan (countedSeconds, window = WINDOW_SECONDS) {
  return Math.min(window, Math.max(60, Math.ceil(countedSeconds / 60) * 60))
}

/** The marks under a chart of `span` seconds, oldest first: how many seconds back, and the label. */
export function timeTicks (span) {
  const step = span <= 60 ? 15 : span <= 120 ? 30 : 60
  const ticks = []
  for (let back = span; back >= 0; back -= step) {
    ticks.push({ back, label: back === 0 ? 'now' : back % 60 === 0 ? `−${back / 60} min` : `−${back} s` })
  }
  return ticks
}

/** The smallest of 1, 2, 5, 10, 20, 50… at or above `value`: the chart's top. */
export function niceCeiling (value) {
  if (!(value > 1)) return 1
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude
  }
  return 10 * magnitude
}

/**
 * One series drawn in `box` ({ left, top, width, height }) scaled to `top`: the
 * polyline's points and the area's polygon under it, over the seconds that have a
 * value (empty strings when none has).
 */
export function seriesPath (values, box, yTop) {
  const step = values.length > 1 ? box.width / (values.length - 1) : 0
  const bottom = box.top + box.height
  const points = []
  let first
  let last
  values.forEach((value, i) => {
    if (value === null) return
    const x = round(box.left + i * step)
    first ??= x
    last = x
    points.push(`${x},${round(bottom - (Math.min(value, yTop) / yTop) * box.height)}`)
  })
  if (points.length === 0) return { line: '', area: '' }
  return { line: points.join(' '), area: `${first},${bottom} ${points.join(' ')} ${last},${bottom}` }
}

/** The sum of a series' values. */
export function total (values) {
  return values.reduce((sum, v) => sum + (v ?? 0), 0)
}

const round = (n) => Math.round(n * 10) / 10
