import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { ip, namespacesUnavailable, sysctl } from './namespace-tools.js'

/**
 * A two-group network of Linux network namespaces, one namespace (and IP) per nara:
 *
 *   n0 n1 n2 ─ bridge in <run>-hubA ─┐                       ┌─ bridge in <run>-hubB ─ n3 n4 n5
 *              10.77.1.0/24          └─ cA  <run>-core  cB ─┘          10.77.2.0/24
 *                                        (routes between the groups)
 *
 * (the bridges are `bridge0`, their links to the core `uplink`.)
 * `cut()` takes the core's link to group B down: the groups lose each other, each group
 * still talks within itself. `heal()` brings it back. Every name carries a random run id,
 * and `destroy()` removes every namespace it made (their links go with them).
 */
export class PartitionNet {
  readonly runId = `nara-${randomBytes(3).toString('hex')}`
  private readonly namespaces: string[] = []
  private readonly members: Array<{ ns: string, ip: string }> = []

  /** Why this machine cannot build the net (a sentence), or undefined when it can. */
  static unavailable (): string | undefined {
    return namespacesUnavailable()
  }

  /** Builds the core and the two groups' bridges, and `sizes[g]` nara namespaces in group g. */
  constructor (sizes: [number, number]) {
    try {
      const core = this.namespace('core')
      sysctl(core, 'net.ipv4.ip_forward', '1')
      for (const [g, group] of (['A', 'B'] as const).entries()) {
        const hub = this.namespace(`hub${group}`)
        ip('-n', hub, 'link', 'add', 'name', 'bridge0', 'type', 'bridge')
        ip('-n', hub, 'link', 'set', 'dev', 'bridge0', 'up')
        this.link(core, `c${group}`, hub, 'uplink', `${subnet(g)}.254/24`)
        for (let i = 0; i < sizes[g]; i++) {
          const index = this.members.length
          const ns = this.namespace(`n${index}`)
          const address = `${subnet(g)}.${i + 1}`
          this.link(ns, 'eth0', hub, `p${index}`, `${address}/24`)
          ip('-n', ns, 'route', 'add', 'default', 'via', `${subnet(g)}.254`)
          this.members.push({ ns, ip: address })
        }
      }
    } catch (err) {
      this.destroy()
      throw err
    }
  }

  /** The namespace and IP of the i-th nara (group A first). */
  member (i: number): { ns: string, ip: string } {
    return this.members[i]
  }

  /** Spawns a command inside the i-th nara's namespace (`ip netns exec` execs it: the PID is the command's). */
  spawn (i: number, command: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.members[i].ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  }

  cut (): void {
    ip('-n', this.coreName, 'link', 'set', 'dev', 'cB', 'down')
  }

  heal (): void {
    ip('-n', this.coreName, 'link', 'set', 'dev', 'cB', 'up')
  }

  /** Deletes every namespace made (idempotent). Processes inside must have been stopped first. */
  destroy (): void {
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
    }
  }

  private get coreName (): string {
    return `${this.runId}-core`
  }

  private namespace (name: string): string {
    const ns = `${this.runId}-${name}`
    ip('netns', 'add', ns)
    this.namespaces.push(ns)
    ip('-n', ns, 'link', 'set', 'dev', 'lo', 'up')
    return ns
  }

  /** A veth from `ns` (named `name`, addressed `cidr`) to a port `port` of the bridge in `hub`. */
  private link (ns: string, name: string, hub: string, port: string, cidr: string): void {
    ip('-n', ns, 'link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', port, 'netns', hub)
    ip('-n', hub, 'link', 'set', 'dev', port, 'master', 'bridge0')
    ip('-n', hub, 'link', 'set', 'dev', port, 'up')
    ip('-n', ns, 'addr', 'add', cidr, 'dev', name)
    ip('-n', ns, 'link', 'set', 'dev', name, 'up')
  }
}

function subnet (group: number): string {
  return `10.77.${group + 1}`
}
