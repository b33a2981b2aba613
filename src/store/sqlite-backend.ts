// SQLite (the embedded default): one table per collection in one file, WAL so readers never wait on the writer.
// Only one process should write the file; use Redis or PostgreSQL to run several.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import KeyvSqlite from '@keyv/sqlite'
import { createMemoryLockPrimitives, createSqliteCounters, sqliteCountersTable } from './sqlite-coordination.js'
import { likePrefix, tableName, type StoreBackend } from './store-backend.js'
import type { CollectionName } from './store.js'

/** `sqlite://./data/x.sqlite` is relative to the working directory; `sqlite:///var/lib/x.sqlite` is absolute. */
export function sqliteFilePath(url: string): string {
  const path = url.replace(/^sqlite:\/\//, '')
  return path === '' ? ':memory:' : path
}

export function createSqliteBackend(url: string): StoreBackend {
  const file = sqliteFilePath(url)
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const adapters = new Map<CollectionName, KeyvSqlite>()

  const adapter = (collection: CollectionName): KeyvSqlite => {
    let existing = adapters.get(collection)
    if (!existing) {
      existing = new KeyvSqlite({ uri: 'sqlite://' + file, table: tableName(collection), busyTimeout: 10_000 })
      // WAL lets reads proceed during writes; NORMAL sync is durable across process crashes.
      void existing.query('PRAGMA journal_mode=WAL').catch(() => {})
      void existing.query('PRAGMA synchronous=NORMAL').catch(() => {})
      adapters.set(collection, existing)
    }
    return existing
  }

  const query = (sql: string, ...values: unknown[]) => adapter('counters').query(sql, ...values) as Promise<unknown[]>
  const counters = createSqliteCounters(query)

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
    async *listKeys(collection, prefix) {
      const rows = (await adapter(collection).query(
        `SELECT key FROM ${tableName(collection)} WHERE key LIKE ? ESCAPE '\\'`,
        likePrefix(prefix),
      )) as { key: string }[]
      for (const row of rows) yield row.key
    },
    counters,
    lockPrimitives: createMemoryLockPrimitives(),
    async clearCoordination() {
      const keys: string[] = []
      for await (const key of counters.keys('')) keys.push(key)
      await counters.delete(keys)
    },
    async close() {
      await Promise.all([...adapters.values()].map((each) => each.disconnect()))
      adapters.clear()
    },
  }
}
