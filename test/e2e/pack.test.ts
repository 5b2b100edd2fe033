import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

/**
 * The package as a user gets it: `npm pack` of this checkout's build, installed into a
 * fresh app outside the repository (its dependencies from the npm registry or cache),
 * and the examples copied in and run from there. The examples' development tools
 * (typescript, @types/node, vitest) are this project's own copies, the versions the
 * examples ask for.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGE = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string, version: string }
const EXAMPLES = ['guestbook', 'embed-libp2p']
const TSC = `${ROOT}node_modules/typescript/bin/tsc`
const VITEST = `${ROOT}node_modules/vitest/vitest.mjs`

/** The environment of a child run as a user would run it: none of this vitest run's variables. */
const USER_ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'))

async function run (file: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const { stdout } = await promisify(execFile)(file, args, { cwd, timeout: timeoutMs, env: USER_ENV, maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

/** What the examples depend on besides this package, as their package.json files say. */
function exampleDependencies (): string[] {
  const specs = new Set<string>()
  for (const example of EXAMPLES) {
    const manifest = JSON.parse(readFileSync(`${ROOT}examples/${example}/package.json`, 'utf8')) as { dependencies: Record<string, string> }
    for (const [name, range] of Object.entries(manifest.dependencies)) {
      if (name !== PACKAGE.name) specs.add(`${name}@${range}`)
    }
  }
  return [...specs]
}

describe(`the packed ${PACKAGE.name}, installed into a fresh app`, () => {
  const temp = mkdtempSync(join(tmpdir(), 'nara-pack-'))
  const app = join(temp, 'app')
  let packed: string[] = []

  beforeAll(async () => {
    const [pack] = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', temp], ROOT, 60_000)) as Array<{ filename: string, files: Array<{ path: string }> }>
    packed = pack.files.map(f => f.path)
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'nara-pack-app', private: true, type: 'module' }))
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(temp, pack.filename), ...exampleDependencies()], app, 240_000)
    for (const example of EXAMPLES) {
      cpSync(`${ROOT}examples/${example}`, join(app, example), { recursive: true, filter: (src) => !/[/\\](node_modules|dist)$/.test(src) })
    }
  }, 330_000)

  afterAll(() => { rmSync(temp, { recursive: true, force: true }) })

  it('ships the build, the protocol files and the inspector, not the repository\'s scripts, tests or source maps', () => {
    expect(packed).toEqual(expect.arrayContaining([
      'dist/src/index.js', 'dist/src/index.d.ts', 'dist/nara.mjs', 'dist/nara-cli.cjs', 'dist/protocols/envelope.js',
      'protocols/envelope.proto', 'protocols/PROTOCOLS.md', 'inspector/index.html', 'README.md', 'CHANGELOG.md', 'package.json'
    ]))
    expect(packed.filter(f => f.startsWith('dist/scripts/') || f.startsWith('test/') || f.startsWith('src/') || f.endsWith('.map') || f.endsWith('.cache'))).toEqual([])
  })

  it('installs the nara command', async () => {
    expect(await run(join(app, 'node_modules/.bin/nara'), ['--help'], app, 30_000)).toContain('Usage: nara')
  })

  it('passes the guestbook example\'s MockRuntime tests', async () => {
    const report = join(temp, 'guestbook-tests.json')
    await run(process.execPath, [VITEST, 'run', '--root', join(app, 'guestbook'), '--reporter=json', `--outputFile=${report}`], app, 60_000)
    const result = JSON.parse(readFileSync(report, 'utf8')) as { numTotalTests: number, numPassedTests: number, success: boolean }
    expect(result.success).toBe(true)
    expect(result.numTotalTests).toBeGreaterThan(0)
    expect(result.numPassedTests).toBe(result.numTotalTests)
  }, 70_000)

  it('runs the guestbook: two naras on 127.0.0.1 exchange entries', async () => {
    const dir = join(app, 'guestbook')
    await run(process.execPath, [TSC, '-p', dir, '--typeRoots', `${ROOT}node_modules/@types`], dir, 60_000)
    const stdout = await run(process.execPath, ['dist/src/run.js'], dir, 60_000)
    expect(stdout).toContain('alice heard from bob: "hello alice, bob here"')
    const books = stdout.slice(stdout.indexOf('alice\'s guestbook:')).split('\n').filter(l => l.startsWith('  '))
    expect(books).toEqual(['  alice: alice was here first', '  bob: hello alice, bob here', '  alice: alice was here first', '  bob: hello alice, bob here'])
  }, 130_000)

  it('runs the embedding example: nara inside an app\'s own libp2p node', async () => {
    const dir = join(app, 'embed-libp2p')
    await run(process.execPath, [TSC, '-p', dir, '--typeRoots', `${ROOT}node_modules/@types`], dir, 60_000)
    const stdout = await run(process.execPath, ['dist/main.js'], dir, 30_000)
    expect(stdout).toMatch(/^nara my-app \w+ runs in libp2p node 12D3Koo\w+\n$/)
  }, 100_000)
})
