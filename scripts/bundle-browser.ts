// npm run bundle:browser: src/browser.ts -> dist/browser/nara.js, one ES module for
// browsers (esbuild, platform browser: packages' `browser` fields honoured). A module
// of ours with a `<name>.browser.ts` twin (src/platform/platform.ts, src/identity/
// signing.ts, machine-id.ts) is replaced by the twin, so no Node built-in is bundled:
// esbuild fails on any that is left. Prints the size, minified and gzipped.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Plugin } from 'esbuild'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const ENTRY = resolve(ROOT, 'src/browser.ts')
export const BROWSER_BUNDLE = resolve(ROOT, 'dist/browser/nara.js')
/** The size the bundle must stay under, gzipped. */
const MAX_GZIP_BYTES = 500 * 1024

/** Resolves `./x.js` of our sources to `./x.browser.ts` where that twin exists. */
const browserTwins: Plugin = {
  name: 'nara-browser-twins',
  setup (b) {
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      if (!args.importer.startsWith(resolve(ROOT, 'src'))) return undefined
      const twin = resolve(dirname(args.importer), args.path.replace(/\.js$/, '.browser.ts'))
      return existsSync(twin) ? { path: twin } : undefined
    })
  }
}

async function main (): Promise<void> {
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    outfile: BROWSER_BUNDLE,
    plugins: [browserTwins],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning'
  })
  const bytes = readFileSync(BROWSER_BUNDLE)
  const gzipped = gzipSync(bytes, { level: 9 }).byteLength
  process.stdout.write(`dist/browser/nara.js: ${kib(bytes.byteLength)} minified, ${kib(gzipped)} gzipped\n`)
  if (gzipped > MAX_GZIP_BYTES) throw new Error(`the browser bundle is ${kib(gzipped)} gzipped, over ${kib(MAX_GZIP_BYTES)}`)
}

function kib (n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`)
  process.exit(1)
})
