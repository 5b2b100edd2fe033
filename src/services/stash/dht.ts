// Findable without broadcast: the DHT record a confidant advertises, and the owner's lookup of it.
import { bytesToHex } from '@noble/hashes/utils.js'
import type { StashContext } from './context.js'
import type { Recovery } from './recovery.js'
import type { NaraID } from '../../identity/index.js'

/** Pauses between DHT lookups of one's confidants while recovering. */
const LOOKUP_AFTER_MS = 1_500
const MAX_LOOKUP_PAUSE_MS = 8_000
/** The soonest a recovery that heard from nobody ends (confidants answer stash:refresh well before). */
const MIN_RECOVERY_MS = 3_000

/** The DHT topic a confidant advertises while it holds `owner`'s stash. */
export function advertisement (owner: NaraID): string {
  return `stash:${owner}`
}

/**
 * The fallback when stash:refresh brought nothing: asks, directly (with `askByKey`),
 * every nara the DHT says advertises holding this nara's stash. A DHT lookup contacts
 * (and stays connected to) about k naras, so it runs only if no copy came within
 * LOOKUP_AFTER_MS, and only from inside the swarm: a nara that has heard of no
 * peer yet (still joining, or connected to its bootstrap node only) waits until it
 * has. A lookup that finds nobody ends the recovery with nothing (a nara's first
 * start), no sooner than MIN_RECOVERY_MS; one that fails is tried again, further
 * and further apart. Ends when the recovery stops collecting or `signal` aborts.
 */
export async function askAdvertisers (ctx: StashContext, recovery: Recovery, askByKey: (key: Uint8Array) => Promise<void>, signal: AbortSignal): Promise<void> {
  const began = Date.now()
  const asked = new Set<string>()
  await pause(LOOKUP_AFTER_MS, signal)
  for (let wait = LOOKUP_AFTER_MS; recovery.collecting && !recovery.heardAny && !signal.aborted; wait = Math.min(2 * wait, MAX_LOOKUP_PAUSE_MS)) {
    // Blind lookups cost the most: in a burst of 50 joins, 157 of them walked the DHT
    // through a busy bootstrap node and dialled about 20 naras each.
    await untilInSwarm(ctx, signal)
    if (!recovery.collecting || recovery.heardAny || signal.aborted) return
    let found = 0
    try {
      for await (const key of ctx.rt.findAdvertisers(advertisement(ctx.rt.me().id), { signal })) {
        found++
        const hex = bytesToHex(key)
        if (!recovery.collecting || asked.has(hex)) continue
        asked.add(hex)
        askByKey(key).catch((err: Error) => {
          asked.delete(hex) // worth another try on the next lookup
          ctx.log.debug('an advertised confidant did not answer', { err: err.message })
        })
      }
      if (found === 0) {
        await pause(Math.max(0, MIN_RECOVERY_MS - (Date.now() - began)), signal)
        recovery.nobodyHolds()
      }
    } catch (err) {
      if (!signal.aborted) ctx.log.debug('DHT lookup of confidants failed', { err: (err as Error).message })
    }
    await pause(wait, signal)
  }
}

/** Resolves once this nara knows a peer online (at once if it does), or when `signal` aborts. */
async function untilInSwarm (ctx: StashContext, signal: AbortSignal): Promise<void> {
  if (ctx.rt.onlinePeers().length > 0 || signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => {
      off()
      signal.removeEventListener('abort', done)
      resolve()
    }
    const off = ctx.rt.on('presence:peer-online', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
