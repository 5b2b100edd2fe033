import { afterAll, describe, expect, it } from 'vitest'
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLI, exited, killAll, LOOPBACK_LISTEN, startNara } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

afterAll(() => { killAll() })

const DIST = dirname(CLI)
const INSPECTOR = fileURLToPath(new URL('../../inspector/', import.meta.url))
/** The launcher caches compiled code this long after a start. */
const CACHED_AFTER_MS = 5_000

/** How long a running nara has been up, by its own account. */
async function uptimeMs (api: string): Promise<number> {
  const res = await fetch(`${api}/status`)
  return ((await res.json()) as { uptimeMs: number }).uptimeMs
}

/** A copy of the installed package's runnable part: the bin, the CLI bundle and the inspector. */
function packageCopy (): { bin: string, bundle: string, cache: string, root: string } {
  const root = mkdtempSync(join(tmpdir(), 'nara-cache-'))
  for (const file of ['nara.mjs', 'nara-cli.cjs']) cpSync(join(DIST, file), join(root, 'dist', file))
  cpSync(INSPECTOR, join(root, 'inspector'), { recursive: true })
  return { bin: join(root, 'dist', 'nara.mjs'), bundle: join(root, 'dist', 'nara-cli.cjs'), cache: join(root, 'dist', 'nara-cli.cjs.cache'), root }
}

describe('the nara bin\'s code cache', () => {
  it('starts despite a bad cache, replaces it with one V8 accepts, keeps that one, and drops it for another build', async () => {
    const pkg = packageCopy()
    try {
      const garbage = Buffer.from('not a V8 code cache')
      writeFileSync(pkg.cache, garbage)

      const first = await startNara(['--name', 'e2e-cache', '--listen', LOOPBACK_LISTEN], 20_000, pkg.bin)
      expect(first.info.name).toBe('e2e-cache')
      // V8 rejected the garbage, so the launcher writes the code it compiled instead.
      await waitFor(() => !readFileSync(pkg.cache).equals(garbage), 'a cache V8 accepts', 3 * CACHED_AFTER_MS)
      first.child.kill('SIGTERM')
      expect(await exited(first.child, 8_000)).toBe(0)
      const written = statSync(pkg.cache).mtimeMs

      const second = await startNara(['--name', 'e2e-cache', '--listen', LOOPBACK_LISTEN], 20_000, pkg.bin)
      expect(second.info.id).toBe(first.info.id)
      // An accepted cache is not written again: not even once the nara has run past the launcher's delay
      // (its uptime counts from after the launcher armed that timer; a second of margin for the event loop to reach it).
      await waitFor(async () => (await uptimeMs(second.info.api)) > CACHED_AFTER_MS + 1_000, 'the second nara to run past the cache delay', 3 * CACHED_AFTER_MS)
      expect(statSync(pkg.cache).mtimeMs).toBe(written)
      second.child.kill('SIGTERM')
      expect(await exited(second.child, 8_000)).toBe(0)

      // Another build of the bundle (V8 itself would compare only its length): compiled afresh, cached anew.
      utimesSync(pkg.bundle, new Date(), new Date(Date.now() + 60_000))
      const third = await startNara(['--name', 'e2e-cache', '--listen', LOOPBACK_LISTEN], 20_000, pkg.bin)
      await waitFor(() => statSync(pkg.cache).mtimeMs !== written, 'a cache for the new build', 3 * CACHED_AFTER_MS)
      third.child.kill('SIGTERM')
      expect(await exited(third.child, 8_000)).toBe(0)
    } finally {
      rmSync(pkg.root, { recursive: true, force: true })
    }
  }, 90_000)
})
