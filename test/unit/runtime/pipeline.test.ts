import { describe, expect, it } from 'vitest'
import { DropCounter, drop, fail, proceed, runPipeline, type Stage } from '../../../src/index.js'

const stage = (name: string, ran: string[], result: 'continue' | 'drop' | 'fail' | 'throw' = 'continue'): Stage<number> => ({
  name,
  run: (n) => {
    ran.push(name)
    if (result === 'drop') return drop('too-big', `${n} is too big`)
    if (result === 'fail') return fail(new Error('broken'))
    if (result === 'throw') throw new Error('thrown')
    return proceed(n + 1)
  }
})

describe('pipeline', () => {
  it('runs stages in order, each on the previous value', async () => {
    const ran: string[] = []
    const outcome = await runPipeline([stage('a', ran), stage('b', ran), stage('c', ran)], 0)
    expect(ran).toEqual(['a', 'b', 'c'])
    expect(outcome).toEqual({ status: 'done', value: 3 })
  })

  it('stops at the first drop and says which stage and why', async () => {
    const ran: string[] = []
    const outcome = await runPipeline([stage('a', ran), stage('b', ran, 'drop'), stage('c', ran)], 0)
    expect(ran).toEqual(['a', 'b'])
    expect(outcome).toEqual({ status: 'dropped', stage: 'b', reason: { code: 'too-big', detail: '1 is too big' } })
  })

  it('stops at a failure, including a stage that throws', async () => {
    const ran: string[] = []
    const failed = await runPipeline([stage('a', ran, 'fail'), stage('b', ran)], 0)
    expect(failed).toMatchObject({ status: 'failed', stage: 'a', error: { message: 'broken' } })
    const thrown = await runPipeline([stage('x', ran, 'throw'), stage('y', ran)], 0)
    expect(thrown).toMatchObject({ status: 'failed', stage: 'x', error: { message: 'thrown' } })
    expect(ran).toEqual(['a', 'x'])
  })

  it('drop counters are readable by reason', () => {
    const drops = new DropCounter()
    drops.count('duplicate')
    drops.count('duplicate')
    drops.count('bad-signature')
    expect(drops.get('duplicate')).toBe(2)
    expect(drops.total()).toBe(3)
    expect(drops.snapshot()).toEqual({ 'bad-signature': 1, duplicate: 2 })
  })
})
