import { describe, expect, it } from 'vitest'
import { cliLogger, defaultLogFormat, type LogFormat } from '../../../src/cli/logs.js'

function capture (isTTY = false): NodeJS.WritableStream & { isTTY: boolean, lines: string[] } {
  const lines: string[] = []
  return { isTTY, lines, write: (s: string) => { lines.push(s); return true } } as unknown as NodeJS.WritableStream & { isTTY: boolean, lines: string[] }
}

function logOnce (format: LogFormat): string {
  const out = capture()
  const logs = cliLogger({ level: 'info', format, destination: out })
  logs.release()
  logs.log.child({ service: 'stash' }).warn('cannot reach any bootstrap peer', { bootstrap: ['/ip4/127.0.0.1/tcp/9'] })
  expect(out.lines).toHaveLength(1)
  return out.lines[0]
}

describe('the logs of nara start', () => {
  it('are JSON lines in json format', () => {
    expect(JSON.parse(logOnce('json'))).toMatchObject({ level: 40, service: 'stash', msg: 'cannot reach any bootstrap peer', bootstrap: ['/ip4/127.0.0.1/tcp/9'] })
  })

  it('are one readable line each in pretty format: level, message and fields, no JSON', () => {
    const line = logOnce('pretty')
    expect(() => JSON.parse(line)).toThrow()
    expect(line).toMatch(/WARN.*cannot reach any bootstrap peer/)
    expect(line).toContain('/ip4/127.0.0.1/tcp/9')
    expect(line.trimEnd().split('\n')).toHaveLength(1)
  })

  it('are pretty on a terminal and JSON otherwise, unless told', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('pretty')
    expect(defaultLogFormat({ isTTY: false })).toBe('json')
    expect(defaultLogFormat({})).toBe('json')
  })

  it('are held until released, and dropped for good once discarded', () => {
    const out = capture()
    const held = cliLogger({ level: 'info', format: 'json', destination: out })
    held.log.info('early')
    expect(out.lines).toEqual([])
    held.release()
    held.log.info('later')
    expect(out.lines.map(l => JSON.parse(l).msg)).toEqual(['early', 'later'])

    const dropped = cliLogger({ level: 'info', format: 'json', destination: out })
    dropped.log.info('never')
    dropped.discard()
    dropped.log.info('nor this')
    expect(out.lines).toHaveLength(2)
  })
})
