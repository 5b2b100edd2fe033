import { describe, expect, it } from 'vitest'
import { Identity } from '../../../src/index.js'
import { runCli } from '../../../src/cli/run.js'
import { argv, captureIo } from './helpers.js'

describe('nara soul', () => {
  it('prints the soul `nara start` with the same name runs on this machine, alone on stdout', async () => {
    const io = captureIo()
    expect(await runCli(argv('soul', '--name', 'soul-test'), io)).toBe(0)
    expect(io.outLines.filter(l => l !== '')).toEqual([Identity.create({ name: 'soul-test' }).soulString()])
    expect(io.errLines.join(' ')).toMatch(/keep it secret/)
  })

  it('prints a soul given with its name back (so NARA_SOUL can be checked)', async () => {
    const soul = Identity.create({ name: 'soul-test', machineId: 'elsewhere' }).soulString()
    const io = captureIo()
    expect(await runCli(argv('soul', '--name', 'soul-test', '--soul', soul), io)).toBe(0)
    expect(io.outLines.filter(l => l !== '')).toEqual([soul])
  })
})
