// The timeline of a reborn nara, read from its debug log (nara's JSON lines and the
// transport's `DEBUG=nara:transport` lines): when each step of its recovery happened.

/** The steps, in the order they usually come. */
export const STEPS = ['up', 'joined', 'peer', 'refresh', 'held', 'published', 'answer', 'recovered'] as const
export type Step = typeof STEPS[number]

/** What each step's first log line says. */
const MARKERS: Record<Step, RegExp> = {
  up: /"msg":"libp2p is up; starting the services"/,
  joined: /"msg":"joined the swarm"/,
  peer: /"msg":"peer online"/,
  refresh: /"msg":"recovery: stash:refresh broadcast"/,
  held: /nobody got \/nara\/stash\/refresh yet/,
  published: /published a held broadcast on \/nara\/stash\/refresh/,
  answer: /"msg":"recovery: an answer"/,
  recovered: /"msg":"stash recovered"/
}

/** What a step means, for the printed legend. */
export const STEP_MEANING: Record<Step, string> = {
  up: 'libp2p up, services starting',
  joined: 'connected to a bootstrap peer',
  peer: 'first peer online (presence)',
  refresh: 'stash:refresh emitted',
  held: 'refresh held: nobody subscribed yet',
  published: 'held refresh published',
  answer: 'first answer (a copy or none)',
  recovered: 'stash recovered (opened)'
}

/** Each step's first time, in ms after the process was spawned; every answer and direct ask. */
export interface Timeline {
  at: Partial<Record<Step, number>>
  /**
   * Every answer: when, from whom, and how it came: `refresh` (a confidant answered the
   * broadcast) or `request` (asked directly: found in the DHT or named by a copy)
   */
  answers: Array<{ at: number, from: string, via: string }>
  /** confidants a copy named, asked directly: when, and whom */
  asked: Array<{ at: number, confidant: string }>
}

export function timelineOf (lines: ReadonlyArray<{ at: number, line: string }>, spawnedAt: number): Timeline {
  const timeline: Timeline = { at: {}, answers: [], asked: [] }
  for (const { at, line } of lines) {
    const ms = at - spawnedAt
    for (const step of STEPS) {
      if (timeline.at[step] === undefined && MARKERS[step].test(line)) timeline.at[step] = ms
    }
    if (MARKERS.answer.test(line)) timeline.answers.push({ at: ms, from: field(line, 'from'), via: field(line, 'via') })
    if (/"msg":"recovery: asking a confidant directly"/.test(line)) timeline.asked.push({ at: ms, confidant: field(line, 'confidant') })
  }
  return timeline
}

function field (line: string, name: string): string {
  return new RegExp(`"${name}":"([^"]*)"`).exec(line)?.[1] ?? '?'
}

/** One line: each step's time, `-` when it did not happen. */
export function formatTimeline (t: Timeline): string {
  const steps = STEPS.map(step => `${step} ${t.at[step] ?? '-'}`)
  const answers = t.answers.map(a => `${a.at} ${a.from} (${a.via})`)
  const asked = t.asked.map(a => `${a.at} ${a.confidant}`)
  return `${steps.join(', ')}; answers: ${answers.join(', ') || 'none'}; asked directly: ${asked.join(', ') || 'none'}`
}
