import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** A command a namespace network needs, how to ask it its version, and the Debian package that has it. */
interface Tool { command: string, versionArgs: string[], pkg: string }

const IP_TOOL: Tool = { command: 'ip', versionArgs: ['-V'], pkg: 'iproute2' }
const SYSCTL_TOOL: Tool = { command: 'sysctl', versionArgs: ['--version'], pkg: 'procps' }
export const NFT_TOOL: Tool = { command: 'nft', versionArgs: ['--version'], pkg: 'nftables' }

/** Why this machine cannot build namespace networks (with these tools besides `ip` and `sysctl`), in a sentence, or undefined when it can. */
export function namespacesUnavailable (extraTools: Tool[] = []): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: it builds Linux network namespaces with `ip netns` (run npm test as root)'
  for (const tool of [IP_TOOL, SYSCTL_TOOL, ...extraTools]) {
    try {
      execFileSync(tool.command, tool.versionArgs, { stdio: 'ignore' })
    } catch {
      return `needs the \`${tool.command}\` command; install ${tool.pkg}`
    }
  }
  return undefined
}

/**
 * Whether a namespace test skips on this machine: yes, after one warning saying why, when the machine
 * cannot build namespaces. On CI (CI set) it never skips: the test runs and fails with the reason.
 */
export function skipWithoutNamespaces (test: string, unavailable: string | undefined): boolean {
  if (unavailable === undefined || (process.env.CI ?? '') !== '') return false
  console.warn(`skipping ${test}: it ${unavailable}`)
  return true
}

/**
 * The namespaces of one test network: each named `<runId>-<name>` (a random run id, so
 * parallel runs never collide), joined by veth links to bridges, and all deleted by
 * `destroy()` (their links go with them).
 */
export class Namespaces {
  readonly runId = `nara-${randomBytes(3).toString('hex')}`
  private readonly made: string[] = []

  /** A new namespace with its loopback up. */
  add (name: string): string {
    const ns = `${this.runId}-${name}`
    ip('netns', 'add', ns)
    this.made.push(ns)
    ip('-n', ns, 'link', 'set', 'dev', 'lo', 'up')
    return ns
  }

  /** A veth from `ns` (named `name`, addressed `cidr`) to port `port` of the bridge `bridge0` in `hub`. */
  link (ns: string, name: string, hub: string, port: string, cidr: string): void {
    ip('-n', ns, 'link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', port, 'netns', hub)
    ip('-n', hub, 'link', 'set', 'dev', port, 'master', 'bridge0')
    ip('-n', hub, 'link', 'set', 'dev', port, 'up')
    ip('-n', ns, 'addr', 'add', cidr, 'dev', name)
    ip('-n', ns, 'link', 'set', 'dev', name, 'up')
  }

  /** Deletes every namespace made (idempotent). Processes inside must have been stopped first. */
  destroy (): void {
    for (const ns of this.made.splice(0).reverse()) {
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
    }
  }
}

export function ip (...args: string[]): void {
  run('ip', args)
}

export function sysctl (ns: string, key: string, value: string): void {
  run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`])
}

/** Applies an nftables script (one transaction) inside a namespace. */
export function nft (ns: string, script: string): void {
  run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script)
}

function run (command: string, args: string[], input?: string): void {
  try {
    execFileSync(command, args, { input, stdio: ['pipe', 'ignore', 'pipe'] })
  } catch (err) {
    throw new Error(`${command} ${args.join(' ')} failed: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`)
  }
}
