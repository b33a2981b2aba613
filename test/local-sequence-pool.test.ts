// The waiting line in front of the embedded model's sequences: first come first served, a bounded line, aborts that
// leave the line, and a close that releases every waiter with an error.
import { describe, expect, it } from 'vitest'
import { isBotError } from '../src/bot-error.js'
import { createSequencePool } from '../src/llm/local-sequence-pool.js'

describe('createSequencePool', () => {
  it('hands out free slots at once, then serves waiters in arrival order', async () => {
    const pool = createSequencePool(['a', 'b'], { maxWaiting: 10 })
    expect(await pool.acquire()).toBe('a')
    expect(await pool.acquire()).toBe('b')
    const order: string[] = []
    const first = pool.acquire().then((slot) => order.push(`first:${slot}`))
    const second = pool.acquire().then((slot) => order.push(`second:${slot}`))
    expect(pool.waiting).toBe(2)
    pool.release('b')
    pool.release('a')
    await Promise.all([first, second])
    expect(order).toEqual(['first:b', 'second:a'])
    expect(pool.inUse).toBe(2)
  })

  it('turns requests away as busy once the waiting line is full', async () => {
    const pool = createSequencePool(['a'], { maxWaiting: 1 })
    await pool.acquire()
    const waiting = pool.acquire()
    const refused = await pool.acquire().catch((error: unknown) => error)
    expect(isBotError(refused, 'llm_rate_limited')).toBe(true)
    pool.release('a')
    expect(await waiting).toBe('a')
  })

  it('an aborted waiter leaves the line with llm_timeout and does not take a slot', async () => {
    const pool = createSequencePool(['a'], { maxWaiting: 5 })
    await pool.acquire()
    const controller = new AbortController()
    const aborted = pool.acquire(controller.signal).catch((error: unknown) => error)
    const next = pool.acquire()
    controller.abort(new Error('gave up'))
    expect(isBotError(await aborted, 'llm_timeout')).toBe(true)
    expect(pool.waiting).toBe(1)
    pool.release('a')
    expect(await next).toBe('a')
  })

  it('closing rejects everyone waiting and refuses new requests', async () => {
    const pool = createSequencePool(['a'], { maxWaiting: 5 })
    await pool.acquire()
    const waiting = pool.acquire().catch((error: unknown) => error)
    pool.close()
    expect(isBotError(await waiting, 'llm_failed')).toBe(true)
    expect(isBotError(await pool.acquire().catch((error: unknown) => error), 'llm_failed')).toBe(true)
  })

  it('among free slots takes the one ranked highest (the first of equals), and a waiter gets the next slot released', async () => {
    const pool = createSequencePool(['a', 'bb', 'ccc'], { maxWaiting: 5 })
    const byLength = (slot: string) => slot.length
    expect(await pool.acquire(undefined, byLength)).toBe('ccc')
    expect(await pool.acquire(undefined, () => 0)).toBe('a')
    expect(await pool.acquire(undefined, byLength)).toBe('bb')
    // A waiter is not choosy: ranking only picks among slots that are free when asked.
    const waiting = pool.acquire(undefined, (slot) => (slot === 'ccc' ? 1 : 0))
    pool.release('a')
    expect(await waiting).toBe('a')
  })
})
