import { readFileSync } from 'node:fs'

/** CPU ticks (user + system) and RSS of a process, from /proc (zeros once it is gone). */
export function usage (pid: number): { ticks: number, rssKb: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return { ticks: Number(fields[11]) + Number(fields[12]), rssKb: Number(rss?.[1] ?? 0) }
  } catch {
    return { ticks: 0, rssKb: 0 }
  }
}
