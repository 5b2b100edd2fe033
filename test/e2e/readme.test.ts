import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { transform } from 'esbuild'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** Where the examples run from: inside the project, so `libp2p` & co. resolve from its node_modules. */
const WORKDIR = `${ROOT}test-artifacts/readme`
/** The name the package is published under: what a reader's import says. */
const PACKAGE = 'nara-p2p'

/** Every TypeScript example of the README's Embedding section. */
function embeddingExamples (): string[] {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  const section = readme.slice(readme.indexOf('## Embedding'), readme.indexOf('\n## ', readme.indexOf('## Embedding') + 1))
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1])
}

describe('the README examples run as written', () => {
  const examples = embeddingExamples()

  it('finds the two embedding examples', () => {
    expect(examples).toHaveLength(2)
  })

  it.each(examples.map((code, i) => [i + 1, code]))('example %i exits cleanly', async (i, code) => {
    mkdirSync(WORKDIR, { recursive: true })
    expect(code).toContain(`from '${PACKAGE}'`)
    // point the package's import at this checkout's build
    const source = String(code).replaceAll(`from '${PACKAGE}'`, `from '${ROOT}dist/src/index.js'`)
    const { code: js } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' })
    const file = `${WORKDIR}/example-${String(i)}.mjs`
    writeFileSync(file, js)
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: WORKDIR, timeout: 60_000 })
    expect(stdout.length).toBeGreaterThan(0)
  }, 90_000)
})
