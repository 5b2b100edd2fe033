import { Identity } from '../identity/index.js'
import type { Io } from './io.js'
import type { SoulFlags } from './program.js'

/**
 * `nara soul`: the soul of the nara `nara start` would be with the same --name
 * (and --soul). It is printed only here, never by `nara start` or in its logs.
 */
export async function soulCommand (flags: SoulFlags, io: Io): Promise<void> {
  const identity = Identity.create({
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.soul !== undefined ? { soul: flags.soul } : {})
  })
  io.out(identity.soulString())
  io.err(`the soul of ${identity.name} (${identity.id}): keep it secret; with --name ${identity.name} --soul <soul> it is this nara on any machine`)
}
