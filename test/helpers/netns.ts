import { spawn, type ChildProcess } from 'node:child_process'
import { Namespaces, ip, namespacesUnavailable, sysctl } from './namespace-tools.js'

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
  private readonly spaces = new Namespaces()
  private readonly members: Array<{ ns: string, ip: string }> = []

  /** Why this machine cannot build the net (a sentence), or undefined when it can. */
  static unavailable (): string | undefined {
    return namespacesUnavailable()
  }

  /** Builds the core and the two groups' bridges, and `sizes[g]` nara namespaces in group g. */
  constructor (sizes: [number, number]) {
    try {
      const core = this.spaces.add('core')
      sysctl(core, 'net.ipv4.ip_forward', '1')
      for (const [g, group] of (['A', 'B'] as const).entries()) {
        const hub = this.spaces.add(`hub${group}`)
        ip('-n', hub, 'link', 'add', 'name', 'bridge0', 'type', 'bridge')
        ip('-n', hub, 'link', 'set', 'dev', 'bridge0', 'up')
        this.spaces.link(core, `c${group}`, hub, 'uplink', `${subnet(g)}.254/24`)
        for (let i = 0; i < sizes[g]; i++) {
          const index = this.members.length
          const ns = this.spaces.add(`n${index}`)
          const address = `${subnet(g)}.${i + 1}`
          this.spaces.link(ns, 'eth0', hub, `p${index}`, `${address}/24`)
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
    this.spaces.destroy()
  }

  /** The random id every namespace name of this net starts with. */
  get runId (): string {
    return this.spaces.runId
  }

  private get coreName (): string {
    return `${this.runId}-core`
  }

}

function subnet (group: number): string {
  return `10.77.${group + 1}`
}
