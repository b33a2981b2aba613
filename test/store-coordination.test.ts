// The store's coordination on the real engines: counters and budget reservations that are exact under concurrency
// from two connections (as two processes would be), and fenced locks whose holder keeps a lease while working and is
// told when it lost one, on SQLite, Redis and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type RedisClientType } from '@keyv/redis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeyedLock } from '../src/core/coordination/keyed-lock.js'
import type { LockPrimitives } from '../src/store/coordination.js'
import { createFencedLocks } from '../src/store/fenced-locks.js'
import { openStore } from '../src/store/open-store.js'
import { createPostgresLockPrimitives, postgresCoordinationSchema } from '../src/store/postgres-coordination.js'
import { createRedisLockPrimitives } from '../src/store/redis-coordination.js'
import { createMemoryLockPrimitives } from '../src/store/sqlite-coordination.js'
import type { Store, StoreKind } from '../src/store/store.js'
import { isolatedPostgresUrl, isolatedRedisUrl } from '../testing/support/isolated-databases.js'

const directory = mkdtempSync(join(tmpdir(), 'hyperalign-coordination-'))
const urls: Record<StoreKind, string> = { sqlite: `sqlite://${join(directory, 'store.sqlite')}`, redis: isolatedRedisUrl(12), postgres: '' }
const run = Math.random().toString(36).slice(2, 8)
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))

/** Two stores on one engine: two connections, as two bot processes would have (one store on SQLite, a one-process engine). */
const opened: Store[] = []
async function pair(kind: StoreKind): Promise<[Store, Store]> {
  const first = await openStore(urls[kind])
  const second = kind === 'sqlite' ? first : await openStore(urls[kind])
  opened.push(first, second)
  return [first, second]
}

/** The engine's lock primitives on a connection of their own, so a test can pause one holder's renewals. */
const closers: (() => Promise<unknown>)[] = []
async function primitivesFor(kind: StoreKind): Promise<LockPrimitives> {
  if (kind === 'redis') {
    const client = createClient({ url: urls.redis }) as RedisClientType
    await client.connect()
    closers.push(() => client.close())
    return createRedisLockPrimitives(async () => client)
  }
  if (kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: urls.postgres, max: 2 })
    closers.push(() => pool.end())
    const query = async (sql: string, values?: unknown[]) => (await pool.query(sql, values)).rows as unknown[]
    return createPostgresLockPrimitives(query, postgresCoordinationSchema(query))
  }
  return createMemoryLockPrimitives()
}

beforeAll(async () => {
  urls.postgres = await isolatedPostgresUrl('coordination')
})
afterAll(async () => {
  // @keyv/postgres shares one pool per URL in a process, so the second store's close finds it ended already.
  for (const store of new Set(opened)) await store.close().catch(() => {})
  for (const close of closers) await close()
  rmSync(directory, { recursive: true, force: true })
})

describe.each(['sqlite', 'redis', 'postgres'] as const)('coordination on %s', (kind) => {
  it('counts every one of 200 concurrent increments made over two connections', async () => {
    const [first, second] = await pair(kind)
    const key = `v1:slack:T00COUNT${run}:activity`
    await Promise.all(Array.from({ length: 200 }, (_, index) => (index % 2 ? first : second).counters.add([{ key, deltas: { drafts: 1, tokens: 7 } }])))
    expect(await first.counters.get(key)).toEqual({ drafts: 200, tokens: 1400 })
  })

  it('admits reservations only while the total is below the limit, across two connections', async () => {
    const [first, second] = await pair(kind)
    const key = `v1:slack:T00BUDGET${run}:day`
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        (index % 2 ? first : second).counters.addWhileBelow(key, { field: 'reserved', amount: 10, limitFields: ['used', 'reserved'], limit: 1000, ttlMs: 60_000 }),
      ),
    )
    expect(decisions.filter((decision) => decision.added)).toHaveLength(100)
    expect((await second.counters.get(key)).reserved).toBe(1000)
  })

  it('forgets a counter once its time to live has passed', async () => {
    const [first] = await pair(kind)
    const key = `v1:slack:T00EXPIRE${run}:day`
    await first.counters.add([{ key, deltas: { used: 5 }, ttlMs: 200 }])
    await sleep(600)
    expect(await first.counters.get(key)).toEqual({})
    expect((await first.counters.add([{ key, deltas: { used: 1 }, ttlMs: 60_000 }]))[0]).toEqual({ used: 1 })
  })

  it('lets one holder in at a time and gives a later holder a larger token', async () => {
    const [first, second] = await pair(kind)
    const key = `learn:T00LOCK${run}`
    const held = await first.locks.tryAcquire(key, 5_000)
    expect(held).toBeDefined()
    expect(await second.locks.tryAcquire(key, 5_000)).toBeUndefined()
    expect(await held!.release()).toBe(true)
    const next = await second.locks.tryAcquire(key, 5_000)
    expect(next!.token).toBeGreaterThan(held!.token)
    await next!.release()
  })

  it('keeps the lease of a holder that works three times longer than it', async () => {
    const [first, second] = await pair(kind)
    const key = `learn:T00RENEW${run}`
    const held = await first.locks.tryAcquire(key, 300)
    await sleep(900)
    expect(await second.locks.tryAcquire(key, 300)).toBeUndefined()
    await expect(held!.assertHeld()).resolves.toBeUndefined()
    expect(held!.signal.aborted).toBe(false)
    await held!.release()
  })

  it('tells a holder whose lease lapsed while it was paused that it lost the lock, and its release frees nothing', async () => {
    const [, second] = await pair(kind)
    const shared = await primitivesFor(kind)
    // SQLite's locks are one process's memory: the other holder has to use the same primitives to meet this one.
    const other = kind === 'sqlite' ? createFencedLocks(shared, 'other-holder') : second.locks
    let paused = false
    const pausable: LockPrimitives = { ...shared, extend: (...args) => (paused ? new Promise<boolean>(() => {}) : shared.extend(...args)) }
    const key = `learn:T00STEAL${run}`
    const stale = await createFencedLocks(pausable, 'paused-holder').tryAcquire(key, 300)
    paused = true
    await sleep(700)
    const taker = await other.tryAcquire(key, 5_000)
    expect(taker).toBeDefined()
    await expect(stale!.assertHeld()).rejects.toMatchObject({ code: 'lock_lost' })
    expect(stale!.signal.aborted).toBe(true)
    expect(await stale!.release()).toBe(false)
    expect(taker!.token).toBeGreaterThan(stale!.token)
    await expect(taker!.assertHeld()).resolves.toBeUndefined()
    await taker!.release()
  })

  it('does not let a second process in while the first still works past its lease', async () => {
    const [first, second] = await pair(kind)
    const key = `v1:slack:T00MEMBER${run}:U00FAKEUSER1`
    const events: string[] = []
    const work = (name: string, milliseconds: number) => async () => {
      events.push(`${name} start`)
      await sleep(milliseconds)
      events.push(`${name} end`)
    }
    // One process on SQLite has one lock for all its work; on a shared store each process has its own.
    const firstLock = createKeyedLock(first)
    const secondLock = kind === 'sqlite' ? firstLock : createKeyedLock(second)
    const running = firstLock.run(key, work('first', 1_000), { leaseMs: 300 })
    await sleep(500)
    await secondLock.run(key, work('second', 10), { leaseMs: 300 })
    await running
    expect(events).toEqual(['first start', 'first end', 'second start', 'second end'])
  })
})
