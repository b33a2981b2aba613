// The learning job queue on BullMQ over the real engines: one job per id at a time, retries with backoff and then a
// dead letter carrying the error code, a non-retryable failure dead-lettered at once, a busy subject run again later
// without spending an attempt, and a removed job gone, on Redis and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BotError } from '../src/bot-error.js'
import { createBullmqJobQueue } from '../src/store/bullmq-job-queue.js'
import type { JobAttempt, JobOutcome, JobQueue } from '../src/store/job-queue.js'
import { isolatedPostgresUrl, isolatedRedisUrl } from '../testing/support/isolated-databases.js'

const settings = { attempts: 3, backoffMs: 50, leaseMs: 2_000, busyDelayMs: 100 }
const engines = { redis: isolatedRedisUrl(11), postgres: '' }
const queues: JobQueue<{ n: number }>[] = []
beforeAll(async () => {
  engines.postgres = await isolatedPostgresUrl('jobs')
})
afterAll(async () => {
  for (const queue of queues) await queue.close()
})

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe.each(['redis', 'postgres'] as const)('job queue on %s', (kind) => {
  const open = (handler: (data: { n: number }, attempt: JobAttempt) => Promise<JobOutcome>) => {
    const queue = createBullmqJobQueue<{ n: number }>({ kind, url: engines[kind] }, `test-${Math.random().toString(36).slice(2, 8)}`, settings)
    queues.push(queue)
    queue.work(handler, { concurrency: 2 })
    return queue
  }

  it('keeps one job per id until it ran, then takes the next', async () => {
    let release: () => void = () => {}
    const ran: number[] = []
    const queue = open(async (data) => {
      ran.push(data.n)
      if (data.n === 1) await new Promise<void>((resolve) => (release = resolve))
      return 'done'
    })
    expect(await queue.add('v1:slack:T00QUEUE:U00FAKEUSER1', { n: 1 })).toBe(true)
    await until(async () => ran.length === 1)
    expect(await queue.add('v1:slack:T00QUEUE:U00FAKEUSER1', { n: 2 })).toBe(false)
    release()
    await until(async () => (await queue.counts()).running === 0)
    expect(await queue.add('v1:slack:T00QUEUE:U00FAKEUSER1', { n: 3 })).toBe(true)
    await until(async () => ran.length === 2)
    expect(ran).toEqual([1, 3])
  })

  it('retries a failing job with backoff, then keeps it as a dead letter with its error code', async () => {
    const attempts: JobAttempt[] = []
    const queue = open(async (_data, attempt) => {
      attempts.push(attempt)
      throw new BotError('llm_timeout', 'the model timed out')
    })
    await queue.add('v1:slack:T00QUEUE:U00FAKEUSER2', { n: 1 })
    await until(async () => (await queue.counts()).dead === 1)
    expect(attempts.map((each) => [each.attempt, each.finalAttempt])).toEqual([[1, false], [2, false], [3, true]])
    const dead = await queue.deadLetters('v1:slack:T00QUEUE:')
    expect(dead).toEqual([expect.objectContaining({ id: 'v1:slack:T00QUEUE:U00FAKEUSER2', error: 'llm_timeout', attempts: 3 })])
    expect(await queue.deadLetters('v1:slack:T00OTHER:')).toEqual([])
    // A dead letter holds the id until it is removed (the member asks again, or is forgotten).
    expect(await queue.add('v1:slack:T00QUEUE:U00FAKEUSER2', { n: 2 })).toBe(false)
    await queue.remove('v1:slack:T00QUEUE:U00FAKEUSER2')
    expect(await queue.deadLetters('v1:slack:T00QUEUE:')).toEqual([])
  })

  it('dead-letters a job at once when its error is not worth retrying', async () => {
    let runs = 0
    const queue = open(async () => {
      runs += 1
      throw new BotError('llm_not_configured', 'no model', { isRetryable: false })
    })
    await queue.add('v1:slack:T00QUEUE:U00FAKEUSER3', { n: 1 })
    await until(async () => (await queue.counts()).dead === 1)
    expect(runs).toBe(1)
    expect((await queue.deadLetters(''))[0]).toMatchObject({ error: 'llm_not_configured' })
  })

  it('runs a job whose subject was busy again later, without spending an attempt', async () => {
    const attempts: number[] = []
    const queue = open(async (_data, attempt) => {
      attempts.push(attempt.attempt)
      return attempts.length < 3 ? 'busy' : 'done'
    })
    await queue.add('v1:slack:T00QUEUE:U00FAKEUSER4', { n: 1 })
    await until(async () => attempts.length === 3 && (await queue.counts()).delayed + (await queue.counts()).waiting + (await queue.counts()).running === 0)
    expect(attempts).toEqual([1, 1, 1])
    expect((await queue.counts()).dead).toBe(0)
  })
})
