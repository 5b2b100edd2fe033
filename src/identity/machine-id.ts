import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id']

/** This machine's stable id: /etc/machine-id, /var/lib/dbus/machine-id, else the hostname; trimmed. */
export function readMachineId (): string {
  for (const file of MACHINE_ID_FILES) {
    try {
      const id = readFileSync(file, 'utf8').trim()
      if (id !== '') return id
    } catch {
      // missing or unreadable: try the next source
    }
  }
  return hostname().trim()
}
