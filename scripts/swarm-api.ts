import type { PeersBody } from '../src/api/types.js'
import { NoNaraError, requestJson, type ApiAnswer, type RequestOptions } from '../src/cli/http.js'
import { sleep, type NaraChild } from './swarm-children.js'

const POLL_MS = 200

/** One API call with a short timeout; undefined while nothing listens yet. */
export async function tryApi<T> (api: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T> | undefined> {
  try {
    return await requestJson<T>(api, path, { timeoutMs: 10_000, ...options })
  } catch (err) {
    if (err instanceof NoNaraError) return undefined
    throw err
  }
}

/** Polls `check` until it returns a value, or throws `what` with the last state after `timeoutMs`. */
export async function pollUntil<T> (check: () => Promise<T | undefined>, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what()}`)
    await sleep(POLL_MS)
  }
}

/** Waits until every nara's GET /peers lists all the others. */
export async function waitForMesh (children: NaraChild[], timeoutMs: number): Promise<void> {
  const seen = new Map<string, number>()
  await pollUntil(async () => {
    for (const child of children) {
      if (child.exitedWith !== undefined) throw new Error(`${child.spec.name} exited (${child.exitedWith})${tail(child)}`)
      const res = await tryApi<PeersBody>(child.summary!.api, '/peers')
      seen.set(child.spec.name, res?.status === 200 ? res.body.peers.length : 0)
    }
    return [...seen.values()].every(n => n === children.length - 1) ? true : undefined
  }, timeoutMs, () => `every nara to see the ${children.length - 1} others (${[...seen].map(([n, c]) => `${n} sees ${c}`).join(', ')})`)
}

export function tail (child: NaraChild): string {
  const last = child.stderrTail.at(-1)
  return last === undefined ? '' : `: ${last}`
}
