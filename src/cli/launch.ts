#!/usr/bin/env -S node --max-semi-space-size=4 --v8-pool-size=1
/**
 * The `nara` bin: runs the CLI bundle (nara-cli.cjs beside this file) through a V8
 * code cache kept beside it. A cached start skips compiling the 3 MB bundle and the
 * functions a start runs: 0.49 -> 0.40 CPU-seconds from process start to a running
 * node (README, Scale), which fifty naras starting on two cores, and every reboot,
 * pay. V8 rejects a cache made for another Node or other flags, but of the source it
 * checks only the length: the cache is also labelled with the bundle's size and
 * modification time, and one made for another build is not used. Either way the
 * bundle is then compiled as usual. The cache is code, so it lives only where the code
 * does: where that folder is read-only, nothing is cached.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Script } from 'node:vm'

/** How long the CLI runs before its compiled functions are cached: a node is up and joining by then. */
const CACHE_AFTER_MS = 5_000

const bundle = fileURLToPath(new URL('./nara-cli.cjs', import.meta.url))
const cacheFile = `${bundle}.cache`
const built = statSync(bundle)
/** The first line of the cache file: which build of the bundle its code was compiled from. */
const label = Buffer.from(`nara-cli.cjs ${built.size} ${built.mtimeMs}\n`)

let cachedData: Buffer | undefined
try {
  const file = readFileSync(cacheFile)
  if (file.subarray(0, label.byteLength).equals(label)) cachedData = file.subarray(label.byteLength)
} catch {
  // first run, or nothing cached
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, { filename: bundle, cachedData })
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void
const module = { exports: {} }
run(module.exports, createRequire(bundle), module, bundle, dirname(bundle))

if (cachedData === undefined || script.cachedDataRejected === true) {
  setTimeout(() => {
    // written whole and renamed, so naras starting together never read half a cache
    const partial = `${cacheFile}.${process.pid}`
    try {
      writeFileSync(partial, Buffer.concat([label, script.createCachedData()]))
      renameSync(partial, cacheFile)
    } catch {
      rmSync(partial, { force: true })
    }
  }, CACHE_AFTER_MS).unref()
}
