import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Where the inspector's page lives relative to this module, in each way nara runs:
 * the TypeScript sources (src/api/), the tsc output (dist/src/api/) and the esbuild
 * bundle (dist/nara.mjs, where import.meta.url is the bundle's). The folder itself is
 * `inspector/` at the package root, shipped with the package.
 */
const CANDIDATES = ['../../inspector/', '../../../inspector/', '../inspector/']

/**
 * The folder holding the inspector's static files.
 *
 * @throws {Error} when the package was installed without its `inspector/` folder
 */
export function inspectorDir (from: string | URL = import.meta.url): string {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, from))
    if (existsSync(`${dir}index.html`)) return dir
  }
  throw new Error(`the inspector's files (inspector/index.html) are missing next to ${fileURLToPath(from)}; reinstall nara`)
}
