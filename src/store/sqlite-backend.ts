// SQLite (the embedded default): one table per collection in one file, WAL so readers never wait on the writer.
// Only one process should write the file; use Redis or PostgreSQL to run several. Erased rows leave no bytes behind.
import KeyvSqlite from '@keyv/sqlite'
import { BotError } from '../bot-error.js'
import { createSqliteAppend } from './sqlite-append.js'
import { createMemoryLockPrimitives, createSerialQueue, createSqliteCounters } from './sqlite-coordination.js'
import { likePrefix, tableName, type StoreBackend } from './store-backend.js'
import type { CollectionName } from './store.js'
import { prepareSqliteFile } from './sqlite-file.js'

/** `sqlite://./data/x.sqlite` is relative to the working directory; `sqlite:///var/lib/x.sqlite` is absolute. */
export function sqliteFilePath(url: string): string {
  const path = url.replace(/^sqlite:\/\//, '')
  return path === '' ? ':memory:' : path
}

/**
 * Set on every connection before its first statement. WAL lets reads proceed during writes; NORMAL sync is durable
 * across process crashes; secure_delete zeroes deleted rows and freed pages, so an erased member's text does not
 * survive in the file's free space.
 */
const connectionPragmas = ['PRAGMA journal_mode=WAL', 'PRAGMA synchronous=NORMAL', 'PRAGMA secure_delete=ON']

type Query = (sql: string, ...parameters: unknown[]) => Promise<unknown>

export function createSqliteBackend(url: string): StoreBackend {
  const file = sqliteFilePath(url)
  if (file !== ':memory:') prepareSqliteFile(file)
  const adapters = new Map<CollectionName, KeyvSqlite>()

  const adapter = (collection: CollectionName): KeyvSqlite => {
    let existing = adapters.get(collection)
    if (!existing) {
      existing = new KeyvSqlite({ uri: 'sqlite://' + file, table: tableName(collection), busyTimeout: 10_000 })
      // Every statement waits for the pragmas, so no row is ever deleted on a connection without secure_delete.
      const query = existing.query.bind(existing) as Query
      const ready = connectionPragmas.reduce<Promise<unknown>>((previous, pragma) => previous.then(() => query(pragma)), Promise.resolve())
      ready.catch(() => {}) // reported by the first statement that waits on it
      existing.query = (async (sql: string, ...parameters: unknown[]) => {
        await ready
        return query(sql, ...parameters)
      }) as typeof existing.query
      adapters.set(collection, existing)
    }
    return existing
  }

  const query = (sql: string, ...values: unknown[]) => adapter('counters').query(sql, ...values) as Promise<unknown[]>
  const queue = createSerialQueue()
  const appender = createSqliteAppend(file, connectionPragmas, queue)
  const counters = createSqliteCounters(query, queue, (keys) => appender.changed(keys))

  return {
    kind: 'sqlite',
    shared: false,
    adapter,
    storedKey: (_collection, key) => key,
    async insertIfAbsent(collection, key, serialized) {
      const table = tableName(collection)
      const sqlite = adapter(collection)
      // An expired entry is removed first so it does not block the insert.
      await sqlite.query(
        `DELETE FROM ${table} WHERE key = ? AND json_extract(value, '$.expires') IS NOT NULL AND json_extract(value, '$.expires') < ?`,
        key,
        Date.now(),
      )
      const rows = (await sqlite.query(
        `INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING RETURNING key`,
        key,
        serialized,
      )) as unknown[]
      return rows.length === 1
    },
    async insertMany(collection, entries) {
      // One statement over a JSON array of rows: one transaction and one parameter whatever the count.
      await adapter(collection).query(
        `INSERT INTO ${tableName(collection)} (key, value) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        JSON.stringify(entries.map((entry) => [entry.key, entry.serialized])),
      )
    },
    async insertManyIfAbsent(collection, entries) {
      const table = tableName(collection)
      const sqlite = adapter(collection)
      const keys = JSON.stringify(entries.map((entry) => entry.key))
      await sqlite.query(
        `DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(?)) AND json_extract(value, '$.expires') IS NOT NULL AND json_extract(value, '$.expires') < ?`,
        keys,
        Date.now(),
      )
      const rows = (await sqlite.query(
        `INSERT INTO ${table} (key, value) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
         ON CONFLICT(key) DO NOTHING RETURNING key`,
        JSON.stringify(entries.map((entry) => [entry.key, entry.serialized])),
      )) as { key: string }[]
      return new Set(rows.map((row) => row.key))
    },
    append: (step) => appender.append(step),
    async *listKeys(collection, prefix) {
      const rows = (await adapter(collection).query(
        `SELECT key FROM ${tableName(collection)} WHERE key LIKE ? ESCAPE '\\'`,
        likePrefix(prefix),
      )) as { key: string }[]
      for (const row of rows) yield row.key
    },
    async check() {
      await adapter('policy').query('SELECT 1')
    },
    async compact() {
      if (file === ':memory:') return
      // Deleted rows are already zeroed in the pages (secure_delete); the WAL still holds the pages as they were
      // before. TRUNCATE copies every frame into the file and cuts the WAL to zero bytes once no reader needs it.
      const sqlite = adapter('policy')
      for (let attempt = 0; attempt < 5; attempt++) {
        const [result] = (await sqlite.query('PRAGMA wal_checkpoint(TRUNCATE)')) as { busy: number }[]
        if (result?.busy === 0) return
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)))
      }
      throw new BotError('store_unavailable', 'The store is busy and could not drop erased data from its files yet; try again in a moment.')
    },
    counters,
    lockPrimitives: createMemoryLockPrimitives(),
    async clearCoordination() {
      const keys: string[] = []
      for await (const key of counters.keys('')) keys.push(key)
      await counters.delete(keys)
    },
    async close() {
      await appender.close()
      await Promise.all([...adapters.values()].map((each) => each.disconnect()))
      adapters.clear()
    },
  }
}
