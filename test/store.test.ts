// One store suite, run for real against SQLite, Redis and PostgreSQL. Redis and PostgreSQL must be running
// (TEST_REDIS_URL, TEST_POSTGRES_URL); when one is not, its tests fail loudly with how to start it, never skip.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import KeyvPostgres from '@keyv/postgres'
import { openStore } from '../src/store/open-store.js'
import type { Store } from '../src/store/store.js'

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
