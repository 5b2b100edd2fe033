// Messages in and out per second over the last minutes, as two lines over their areas.

import { svg } from './svg.js'
import { niceCeiling, seriesPath, timeTicks, total } from './rate-window.js'

const WIDTH = 640
const HEIGHT = 300
/** The plot inside the drawing: room on the left for the scale, below for the times. */
const PLOT = { left: 40, top: 12, width: 588, height: 248 }
const TIME_LABELS_Y = 284
const DIRECTIONS = ['in', 'out']

/**
 * Draws `series` ({ in, out }: per-second counts, oldest first, null before counting
 * began) into `target` (an <svg>), and each direction's total and peak into `legend`
 * (elements `legend.in`, `legend.out`).
 */
export function renderRates (target, series, legend) {
  const peaks = Object.fromEntries(DIRECTIONS.map(d => [d, Math.max(0, ...series[d].map(v => v ?? 0))]))
  const top = niceCeiling(Math.max(peaks.in, peaks.out))
  target.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
  const drawn = [scale(top), timeAxis(series.in.length)]
  for (const direction of DIRECTIONS) {
    const path = seriesPath(series[direction], PLOT, top)
    const count = total(series[direction])
    drawn.push(svg('polygon', { points: path.area, class: `area ${direction}` }))
    drawn.push(svg('polyline', { points: path.line, class: `series ${direction}`, 'data-series': direction, 'data-total': count }))
    legend[direction].textContent = `${count} (peak ${peaks[direction]}/s)`
  }
  target.replaceChildren(...drawn)
}

/** Horizontal lines at 0, half and the top, labelled in messages per second. */
function scale (top) {
  const group = svg('g', { class: 'scale' })
  const ticks = top % 2 === 0 ? [0, top / 2, top] : [0, top]
  for (const tick of ticks) {
    const y = PLOT.top + PLOT.height - (tick / top) * PLOT.height
    group.append(svg('line', { x1: PLOT.left, x2: PLOT.left + PLOT.width, y1: y, y2: y, class: tick === 0 ? 'baseline' : 'grid' }))
    group.append(svg('text', { x: PLOT.left - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'central' }, `${tick}/s`))
  }
  return group
}

/** Marks back from now along the bottom. */
function timeAxis (span) {
  const group = svg('g', { class: 'time' })
  const ticks = timeTicks(span)
  ticks.forEach(({ back, label }, i) => {
    // the oldest point drawn is span - 1 seconds back, at the plot's left edge
    const x = Math.max(PLOT.left, PLOT.left + PLOT.width * (1 - back / (span - 1)))
    const anchor = i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'
    group.append(svg('line', { x1: x, x2: x, y1: PLOT.top + PLOT.height, y2: PLOT.top + PLOT.height + 4, class: 'tick' }))
    group.append(svg('text', { x, y: TIME_LABELS_Y, 'text-anchor': anchor }, label))
  })
  return group
}
