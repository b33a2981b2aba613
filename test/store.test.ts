// One store suite, run for real against SQLite, Redis and PostgreSQL. Redis and PostgreSQL must be running
// (TEST_REDIS_URL, TEST_POSTGRES_URL); when one is not, its tests fail loudly with how to start it, never skip.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import KeyvPostgres from '@keyv/postgres'
import { createClient, type RedisClientType } from '@keyv/redis'
import pg from 'pg'
import sqlite3 from 'sqlite3'
import { openStore } from '../src/store/open-store.js'
import { sequencePlaceholder, type AppendStep, type Store } from '../src/store/store.js'

const config = loadConfig()
const directory = mkdtempSync(join(tmpdir(), 'hyperalign-store-'))
// A path below a regular file can never be created, whoever runs the tests.
writeFileSync(join(directory, 'not-a-directory'), '')
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const backends = [
  { name: 'sqlite', url: `sqlite://${join(directory, 'store.sqlite')}`, start: '' },
  { name: 'redis', url: config.TEST_REDIS_URL, start: 'redis-server --daemonize yes --port 6379' },
  { name: 'postgres', url: config.TEST_POSTGRES_URL, start: 'pg_ctlcluster <version> main start' },
]

const itemSchema = z.object({ name: z.string(), count: z.number() })

describe.each(backends)('store on $name', ({ name, url, start }) => {
  let store: Store
  beforeAll(async () => {
    try {
      store = await openStore(url)
    } catch (error) {
      throw new Error(`The ${name} store at ${url} is not reachable (${(error as Error).message}). Start it (${start}) or set TEST_${name.toUpperCase()}_URL.`)
    }
    await store.clear()
  })
  afterAll(async () => {
    await store?.clear()
    await store?.close()
  })

  it('round-trips values and treats a value of the wrong shape as missing', async () => {
    const items = store.collection('policy', itemSchema)
    await items.set('v1:slack:T1', { name: 'one', count: 1 })
    expect(await items.get('v1:slack:T1')).toEqual({ name: 'one', count: 1 })
    expect(await items.getMany(['v1:slack:T1', 'v1:slack:missing'])).toEqual([{ name: 'one', count: 1 }, undefined])
    await store.collection('policy', z.unknown()).set('v1:slack:T2', { name: 42 })
    expect(await items.get('v1:slack:T2')).toBeUndefined()
    expect(await items.delete('v1:slack:T1')).toBe(true)
    expect(await items.get('v1:slack:T1')).toBeUndefined()
  })

  it('round-trips text exactly, including text that starts with a colon or looks like JSON', async () => {
    const items = store.collection('history', z.object({ text: z.string() }))
    for (const text of [':tada: shipped', '::', '{"value":1}', 'emoji 🎉 and \\ backslash', '']) {
      await items.set('v1:text', { text })
      expect(await items.get('v1:text')).toEqual({ text })
    }
  })

  it('expires values after their TTL', async () => {
    const items = store.collection('drafts', itemSchema)
    await items.set('v1:ttl', { name: 'short', count: 1 }, 80)
    expect(await items.get('v1:ttl')).toBeDefined()
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(await items.get('v1:ttl')).toBeUndefined()
  })

  it('setIfAbsent lets exactly one of many concurrent callers win, and a lapsed value counts as absent', async () => {
    const locks = store.collection('locks', itemSchema)
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => locks.setIfAbsent('v1:race', { name: `caller ${index}`, count: index }, 150)))
    expect(results.filter(Boolean)).toHaveLength(1)
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(await locks.setIfAbsent('v1:race', { name: 'later', count: 0 }, 1000)).toBe(true)
    expect(await locks.get('v1:race')).toEqual({ name: 'later', count: 0 })
  })

  it('setMany stores every entry at once (the last value of a repeated key) with its TTL, as set would', async () => {
    const items = store.collection('history', itemSchema)
    await items.set('v1:many:0', { name: 'before', count: 0 })
    const entries = Array.from({ length: 600 }, (_, index) => ({ key: `v1:many:${index}`, value: { name: `item ${index} "quoted" 🎉`, count: index } }))
    await items.setMany([...entries, { key: 'v1:many:1', value: { name: 'last', count: -1 } }])
    const read = await items.getMany(entries.map((entry) => entry.key))
    expect(read[0]).toEqual({ name: 'item 0 "quoted" 🎉', count: 0 })
    expect(read[1]).toEqual({ name: 'last', count: -1 })
    expect(read.slice(2)).toEqual(entries.slice(2).map((entry) => entry.value))
    await items.setMany([{ key: 'v1:many:short', value: { name: 'short', count: 0 }, ttlMs: 300 }])
    expect(await items.get('v1:many:short')).toEqual({ name: 'short', count: 0 })
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await items.get('v1:many:short')).toBeUndefined()
    await items.setMany([])
  })

  it('setManyIfAbsent stores only the absent keys, says which, and lets one of two concurrent batches win each key', async () => {
    const owners = store.collection('message-owner', itemSchema)
    await owners.set('v1:claim:taken', { name: 'first', count: 0 })
    await owners.set('v1:claim:lapsed', { name: 'old', count: 0 }, 50)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const stored = await owners.setManyIfAbsent(['taken', 'lapsed', 'new'].map((name) => ({ key: `v1:claim:${name}`, value: { name: 'second', count: 1 }, ttlMs: 60_000 })))
    expect([...stored].sort()).toEqual(['v1:claim:lapsed', 'v1:claim:new'])
    expect(await owners.getMany(['v1:claim:taken', 'v1:claim:lapsed'])).toEqual([{ name: 'first', count: 0 }, { name: 'second', count: 1 }])
    const keys = Array.from({ length: 200 }, (_, index) => `v1:race:${index}`)
    const [left, right] = await Promise.all(['left', 'right'].map((name) => owners.setManyIfAbsent(keys.map((key) => ({ key, value: { name, count: 0 } })))))
    expect(left!.size + right!.size).toBe(keys.length)
    expect([...left!].filter((key) => right!.has(key))).toEqual([])
    await expect(owners.setManyIfAbsent([{ key: 'v1:twice', value: { name: 'a', count: 0 } }, { key: 'v1:twice', value: { name: 'b', count: 0 } }])).rejects.toThrow(/twice/)
  })

  it('lists keys by exact prefix, with wildcard characters taken literally', async () => {
    const history = store.collection('history', itemSchema)
    const keys = ['v1:slack:T1:U1:page:0', 'v1:slack:T1:U1:page:1', 'v1:slack:T1:U10:page:0', 'v1:slack:T1:U%:page:0', 'v1:slack:T1:U_:x', 'v1:slack:T1:U*:x']
    for (const key of keys) await history.set(key, { name: key, count: 0 })
    const list = async (prefix: string) => {
      const found: string[] = []
      for await (const key of history.keys(prefix)) found.push(key)
      return found.sort()
    }
    expect(await list('v1:slack:T1:U1:')).toEqual(['v1:slack:T1:U1:page:0', 'v1:slack:T1:U1:page:1'])
    expect(await list('v1:slack:T1:U%:')).toEqual(['v1:slack:T1:U%:page:0'])
    expect(await list('v1:slack:T1:U_:')).toEqual(['v1:slack:T1:U_:x'])
    expect(await list('v1:slack:T1:U*:')).toEqual(['v1:slack:T1:U*:x'])
  })

  it('keeps collections apart, and scan sees every entry of every collection', async () => {
    await store.clear()
    await store.collection('consent', itemSchema).set('v1:same-key', { name: 'consent', count: 1 })
    await store.collection('audit', itemSchema).set('v1:same-key', { name: 'audit', count: 2 })
    await store.collection('consent', itemSchema).delete('v1:same-key')
    expect(await store.collection('audit', itemSchema).get('v1:same-key')).toEqual({ name: 'audit', count: 2 })
    const entries = []
    for await (const entry of store.scan()) entries.push(entry)
    expect(entries).toEqual([{ collection: 'audit', key: 'v1:same-key', value: { name: 'audit', count: 2 } }])
  })

  describe('append', () => {
    const consent = () => store.collection('consent', itemSchema)
    const owners = () => store.collection('message-owner', z.object({ author: z.string(), sequence: z.number() }))
    const rows = () => store.collection('history', z.object({ text: z.string(), sequence: z.number(), ref: z.string() }))
    const keys = async (prefix: string) => {
      const found: string[] = []
      for await (const key of rows().keys(prefix)) found.push(key)
      return found.sort()
    }
    /** The observe path's step: the member's consent guards it, the message's owner entry claims it, a history row is written. */
    const step = (tag: string, message: string | number, ttlMs = 60_000): AppendStep => ({
      guard: { collection: 'consent', key: `v1:append:${tag}:consent` },
      claim: { collection: 'message-owner', key: `v1:append:${tag}:message:${message}`, value: { author: 'U1', sequence: sequencePlaceholder }, ttlMs: 60_000 },
      sequence: { key: `append:${tag}`, field: 'next', alsoIncrement: ['rows'] },
      writes: [
        {
          collection: 'history',
          key: `v1:append:${tag}:row:${sequencePlaceholder}`,
          value: { text: `message ${message}`, sequence: sequencePlaceholder, ref: `row:${sequencePlaceholder}:of:${tag}` },
          ttlMs,
        },
      ],
    })
    const consented = (tag: string) => consent().set(`v1:append:${tag}:consent`, { name: 'consent', count: 1 })

    it('writes nothing without a live guard', async () => {
      expect(await store.append(step('unguarded', 1))).toEqual({ status: 'unguarded' })
      expect(await owners().get('v1:append:unguarded:message:1')).toBeUndefined()
      expect(await keys('v1:append:unguarded:')).toEqual([])
      expect(await store.counters.get('append:unguarded')).toEqual({})

      await consent().set('v1:append:lapsed:consent', { name: 'consent', count: 1 }, 50)
      await new Promise((resolve) => setTimeout(resolve, 120))
      expect(await store.append(step('lapsed', 1))).toEqual({ status: 'unguarded' })
      expect(await store.counters.get('append:lapsed')).toEqual({})
    })

    it('writes nothing when the claim is held, and a lapsed claim counts as absent', async () => {
      await consented('claimed')
      await owners().set('v1:append:claimed:message:1', { author: 'U2', sequence: 0 })
      expect(await store.append(step('claimed', 1))).toEqual({ status: 'claimed' })
      expect(await owners().get('v1:append:claimed:message:1')).toEqual({ author: 'U2', sequence: 0 })
      expect(await keys('v1:append:claimed:')).toEqual([])
      expect(await store.counters.get('append:claimed')).toEqual({})

      await owners().set('v1:append:claimed:message:2', { author: 'U2', sequence: 0 }, 50)
      await new Promise((resolve) => setTimeout(resolve, 120))
      expect(await store.append(step('claimed', 2))).toEqual({ status: 'appended', sequence: 1, counter: { next: 1, rows: 1 } })
      expect(await owners().get('v1:append:claimed:message:2')).toEqual({ author: 'U1', sequence: 1 })
    })

    it('stores the claim and the writes with the sequence number in place of the placeholder, in keys and values', async () => {
      await consented('appended')
      await store.counters.add([{ key: 'append:appended', deltas: { other: 5 } }])
      const outcomes = []
      for (const message of ['a', 'b', 'c']) outcomes.push(await store.append(step('appended', message)))
      expect(outcomes).toEqual([
        { status: 'appended', sequence: 1, counter: { next: 1, rows: 1, other: 5 } },
        { status: 'appended', sequence: 2, counter: { next: 2, rows: 2, other: 5 } },
        { status: 'appended', sequence: 3, counter: { next: 3, rows: 3, other: 5 } },
      ])
      expect(await store.counters.get('append:appended')).toEqual({ next: 3, rows: 3, other: 5 })
      expect(await owners().getMany(['v1:append:appended:message:a', 'v1:append:appended:message:c'])).toEqual([
        { author: 'U1', sequence: 1 },
        { author: 'U1', sequence: 3 },
      ])
      expect(await keys('v1:append:appended:')).toEqual(['v1:append:appended:row:1', 'v1:append:appended:row:2', 'v1:append:appended:row:3'])
      expect(await rows().get('v1:append:appended:row:2')).toEqual({ text: 'message b', sequence: 2, ref: 'row:2:of:appended' })
    })

    it('leaves text alone that spells the placeholder out, and numbers a placeholder next to a backslash of the text', async () => {
      await consented('literal')
      const texts = z.object({ spelled: z.string(), after: z.string(), list: z.array(z.number()) })
      const literal = { ...step('literal', 1), writes: [{ collection: 'drafts' as const, key: 'v1:append:literal', value: { spelled: '\\u0001seq\\u0001', after: '\\' + sequencePlaceholder, list: [sequencePlaceholder] }, ttlMs: 60_000 }] }
      expect((await store.append(literal)).status).toBe('appended')
      expect(await store.collection('drafts', texts).get('v1:append:literal')).toEqual({ spelled: '\\u0001seq\\u0001', after: '\\1', list: [1] })
    })

    it('appends once for many concurrent steps with one claim, and numbers concurrent steps on one counter 1..n', async () => {
      await consented('race')
      const same = await Promise.all(Array.from({ length: 20 }, () => store.append(step('race', 'same'))))
      expect(same.filter((outcome) => outcome.status === 'appended')).toHaveLength(1)
      expect(same.filter((outcome) => outcome.status === 'claimed')).toHaveLength(19)
      expect(await store.counters.get('append:race')).toEqual({ next: 1, rows: 1 })

      await consented('many')
      const many = await Promise.all(Array.from({ length: 50 }, (_, index) => store.append(step('many', index))))
      const sequences = many.map((outcome) => (outcome.status === 'appended' ? outcome.sequence : 0)).sort((a, b) => a - b)
      expect(sequences).toEqual(Array.from({ length: 50 }, (_, index) => index + 1))
      expect(await store.counters.get('append:many')).toEqual({ next: 50, rows: 50 })
      expect(await keys('v1:append:many:')).toHaveLength(50)
    })

    it('gives each of many steps in flight its own outcome: one without consent or with a taken claim leaves the others alone', async () => {
      // On SQLite the steps in flight share one transaction (group commit); each must still stand on its own.
      await consented('mixed-a')
      await consented('mixed-b')
      await owners().set('v1:append:mixed-a:message:taken', { author: 'U2', sequence: 0 })
      const steps = [step('mixed-a', 1), step('mixed-none', 1), step('mixed-a', 'taken'), step('mixed-b', 1), step('mixed-a', 2), step('mixed-a', 1), step('mixed-none', 2), step('mixed-b', 2)]
      const outcomes = await Promise.all(steps.map((each) => store.append(each)))
      // PostgreSQL runs steps in flight on several connections, so which of the two copies of one message wins, and
      // which number each message gets, may differ from the order they were sent in.
      const statuses = outcomes.map((outcome) => outcome.status)
      expect([statuses[1], statuses[2], statuses[3], statuses[4], statuses[6], statuses[7]]).toEqual(['unguarded', 'claimed', 'appended', 'appended', 'unguarded', 'appended'])
      expect([statuses[0], statuses[5]].sort()).toEqual(['appended', 'claimed'])
      const numbers = (indexes: number[]) => indexes.map((index) => outcomes[index]!).flatMap((outcome) => (outcome.status === 'appended' ? [outcome.sequence] : [])).sort()
      expect(numbers([0, 4, 5])).toEqual([1, 2])
      expect(numbers([3, 7])).toEqual([1, 2])
      expect(await store.counters.get('append:mixed-a')).toEqual({ next: 2, rows: 2 })
      expect(await store.counters.get('append:mixed-b')).toEqual({ next: 2, rows: 2 })
      expect(await store.counters.get('append:mixed-none')).toEqual({})
      expect(await keys('v1:append:mixed-')).toEqual(['v1:append:mixed-a:row:1', 'v1:append:mixed-a:row:2', 'v1:append:mixed-b:row:1', 'v1:append:mixed-b:row:2'])
      expect(await owners().get('v1:append:mixed-a:message:taken')).toEqual({ author: 'U2', sequence: 0 })
      const second = outcomes[4]!
      expect(await owners().get('v1:append:mixed-a:message:2')).toEqual({ author: 'U1', sequence: second.status === 'appended' ? second.sequence : -1 })
    })

    it('writes nothing once the guard is deleted (a withdrawn consent wins over a later step)', async () => {
      await consented('withdrawn')
      expect((await store.append(step('withdrawn', 1))).status).toBe('appended')
      await consent().delete('v1:append:withdrawn:consent')
      expect(await store.append(step('withdrawn', 2))).toEqual({ status: 'unguarded' })
      expect(await owners().get('v1:append:withdrawn:message:2')).toBeUndefined()
      expect(await keys('v1:append:withdrawn:')).toEqual(['v1:append:withdrawn:row:1'])
      expect(await store.counters.get('append:withdrawn')).toEqual({ next: 1, rows: 1 })
    })

    it('expires each write after its own TTL', async () => {
      await consented('ttl')
      expect((await store.append(step('ttl', 1, 80))).status).toBe('appended')
      expect(await rows().get('v1:append:ttl:row:1')).toEqual({ text: 'message 1', sequence: 1, ref: 'row:1:of:ttl' })
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(await rows().get('v1:append:ttl:row:1')).toBeUndefined()
      expect(await owners().get('v1:append:ttl:message:1')).toEqual({ author: 'U1', sequence: 1 })
    })
  })
})

describe('a store that is down', () => {
  it.each([
    ['redis', 'redis://127.0.0.1:1/0', /nothing is listening on 127\.0\.0\.1:1 \(ECONNREFUSED\)/],
    ['postgres', 'postgres://postgres@127.0.0.1:1/test', /nothing is listening on 127\.0\.0\.1:1 \(ECONNREFUSED\)/],
    ['sqlite', `sqlite://${join(directory, 'not-a-directory', 'store.sqlite')}`, /not-a-directory is a file, not a folder \(ENOTDIR\)/],
  ])('%s: opening fails with store_unavailable naming the setting, the target and the cause', async (_name, url, cause) => {
    const failure = openStore(url)
    await expect(failure).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringContaining(`The store at STORE_URL=${url} could not be opened: `) })
    await expect(failure).rejects.toThrow(cause)
  })
})

describe('compacting after an erase', () => {
  it('postgres: vacuums the tables of the collections an erase touched', async () => {
    const store = await openStore(config.TEST_POSTGRES_URL)
    // Shares the store's connection pool (one pool per URL in @keyv/postgres); reads the server's own statistics.
    const probe = new KeyvPostgres({ uri: config.TEST_POSTGRES_URL, table: 'hyperalign_history' })
    const vacuums = async (table: string) => {
      const rows = (await probe.query('SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = $1', [table])) as { vacuum_count: string }[]
      return Number(rows[0]?.vacuum_count ?? 0)
    }
    try {
      const history = store.collection('history', itemSchema)
      await history.set('v1:slack:T1:U1:page:0', { name: 'erased text', count: 1 })
      await history.delete('v1:slack:T1:U1:page:0')
      const before = { history: await vacuums('hyperalign_history'), consent: await vacuums('hyperalign_consent') }
      await store.compact(['history'])
      expect(await vacuums('hyperalign_history')).toBe(before.history + 1)
      expect(await vacuums('hyperalign_consent')).toBe(before.consent)
    } finally {
      await store.close()
    }
  })
})

describe('append on SQLite', () => {
  it('fails every step of a transaction that fails, writes none of them, and runs the next transaction as usual', async () => {
    const file = join(directory, 'append-failure.sqlite')
    const store = await openStore(`sqlite://${file}`)
    const step = (tag: string): AppendStep => ({
      guard: { collection: 'consent', key: 'v1:append-failure:consent' },
      claim: { collection: 'message-owner', key: `v1:append-failure:message:${tag}`, value: { sequence: sequencePlaceholder }, ttlMs: 60_000 },
      sequence: { key: 'append-failure', field: 'next', alsoIncrement: [] },
      writes: [{ collection: 'history', key: `v1:append-failure:${tag}:row:${sequencePlaceholder}`, value: { sequence: sequencePlaceholder }, ttlMs: 60_000 }],
    })
    // Another connection makes the disk refuse one row (as a full disk or a corrupt page would refuse a write).
    const other = new sqlite3.Database(file)
    const run = (sql: string) => new Promise<void>((resolve, reject) => other.exec(sql, (error) => (error ? reject(error) : resolve())))
    try {
      await store.collection('consent', itemSchema).set('v1:append-failure:consent', { name: 'consent', count: 1 })
      expect((await store.append(step('first'))).status).toBe('appended')
      await run(`CREATE TRIGGER refuse_boom BEFORE INSERT ON hyperalign_history WHEN NEW.key LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'refused by the disk'); END`)
      // In flight together: one transaction, so the refused row fails its companions too, and nothing of them is kept.
      const together = await Promise.allSettled([store.append(step('boom')), store.append(step('companion'))])
      expect(together.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected'])
      expect((together[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'store_unavailable' })
      expect(await store.counters.get('append-failure')).toEqual({ next: 1 })
      expect(await store.collection('message-owner', z.unknown()).get('v1:append-failure:message:companion')).toBeUndefined()
      await run('DROP TRIGGER refuse_boom')
      // A retry of the companion is stored with the next number, as if the failed transaction never ran.
      expect(await store.append(step('companion'))).toEqual({ status: 'appended', sequence: 2, counter: { next: 2 } })
    } finally {
      await new Promise((resolve) => other.close(resolve))
      await store.close()
    }
  })
})

describe('append on a shared server', () => {
  const step = (tag: string, writeCollection: 'history' | 'contrast' = 'history'): AppendStep => ({
    guard: { collection: 'consent', key: `v1:append-shared:${tag}:consent` },
    claim: { collection: 'message-owner', key: `v1:append-shared:${tag}:message`, value: { sequence: sequencePlaceholder }, ttlMs: 60_000 },
    sequence: { key: `append-shared:${tag}`, field: 'next', alsoIncrement: [] },
    writes: [{ collection: writeCollection, key: `v1:append-shared:${tag}:row:${sequencePlaceholder}`, value: { sequence: sequencePlaceholder }, ttlMs: 60_000 }],
  })
  const consent = { name: 'consent', count: 1 }

  it('postgres: a step during a forget that has deleted the consent but not committed waits for it, then writes nothing', async () => {
    const store = await openStore(config.TEST_POSTGRES_URL)
    const forget = new pg.Client({ connectionString: config.TEST_POSTGRES_URL })
    try {
      await store.collection('consent', itemSchema).set('v1:append-shared:forget:consent', consent)
      await forget.connect()
      await forget.query('BEGIN')
      await forget.query('DELETE FROM hyperalign_consent WHERE key = $1', ['v1:append-shared:forget:consent'])
      const appending = store.append(step('forget'))
      // The forget's erase runs inside its transaction, before the commit: a step that read the old consent row
      // without waiting would write a row this erase never sees.
      await new Promise((resolve) => setTimeout(resolve, 150))
      await forget.query('DELETE FROM hyperalign_history WHERE key LIKE $1', ['v1:append-shared:forget:%'])
      await forget.query('COMMIT')
      expect(await appending).toEqual({ status: 'unguarded' })
      expect(await store.collection('history', z.unknown()).get('v1:append-shared:forget:row:1')).toBeUndefined()
    } finally {
      await forget.end()
      await store.clear()
      await store.close()
    }
  })

  it('postgres: a step can be the first to write a collection whose table does not exist yet', async () => {
    const dropper = new pg.Client({ connectionString: config.TEST_POSTGRES_URL })
    await dropper.connect()
    await dropper.query('DROP TABLE IF EXISTS hyperalign_contrast')
    await dropper.end()
    const store = await openStore(config.TEST_POSTGRES_URL)
    try {
      await store.collection('consent', itemSchema).set('v1:append-shared:first:consent', consent)
      expect(await store.append(step('first', 'contrast'))).toEqual({ status: 'appended', sequence: 1, counter: { next: 1 } })
      expect(await store.collection('contrast', z.object({ sequence: z.number() })).get('v1:append-shared:first:row:1')).toEqual({ sequence: 1 })
    } finally {
      await store.clear()
      await store.close()
    }
  })

  it('redis: a server that forgot the script (a restart, SCRIPT FLUSH) is sent it again', async () => {
    const store = await openStore(config.TEST_REDIS_URL)
    const client = createClient({ url: config.TEST_REDIS_URL }) as RedisClientType
    try {
      await store.collection('consent', itemSchema).set('v1:append-shared:flush:consent', consent)
      await client.connect()
      await client.scriptFlush()
      expect(await store.append(step('flush'))).toEqual({ status: 'appended', sequence: 1, counter: { next: 1 } })
      expect(await store.collection('history', z.object({ sequence: z.number() })).get('v1:append-shared:flush:row:1')).toEqual({ sequence: 1 })
    } finally {
      await client.close()
      await store.clear()
      await store.close()
    }
  })
})
