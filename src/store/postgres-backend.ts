// PostgreSQL: one table per collection, one shared connection pool; safe for several bot processes at once.
import KeyvPostgres from '@keyv/postgres'
import { createBullmqJobQueue } from './bullmq-job-queue.js'
import { createPostgresAppend } from './postgres-append.js'
import { createPostgresCounters, createPostgresLockPrimitives, postgresCoordinationSchema, postgresCoordinationTables } from './postgres-coordination.js'
import { likePrefix, tableName, type StoreBackend } from './store-backend.js'
import type { CollectionName } from './store.js'

export function createPostgresBackend(url: string): StoreBackend {
  const adapters = new Map<CollectionName, KeyvPostgres>()

  const adapter = (collection: CollectionName): KeyvPostgres => {
    let existing = adapters.get(collection)
    if (!existing) {
      // The pool is shared by every adapter with the same URI (a property of @keyv/postgres), so this stays small.
      existing = new KeyvPostgres({ uri: url, table: tableName(collection), max: 10, connectionTimeoutMillis: 5_000 })
      adapters.set(collection, existing)
    }
    return existing
  }

  const query = (sql: string, values?: unknown[]) => adapter('locks').query(sql, values) as Promise<unknown[]>
  const ready = postgresCoordinationSchema(query)
  // keyv's adapter creates its table on first use and runs every query after that; append's function writes to the
  // tables directly, so it waits for each table once.
  const created = new Map<CollectionName, Promise<unknown>>()
  const tables = async (collections: CollectionName[]) => {
    await Promise.all(
      [...new Set(collections)].map((collection) => {
        let table = created.get(collection)
        if (!table) {
          table = adapter(collection).query('SELECT 1').catch((error: unknown) => {
            created.delete(collection)
            throw error
          })
          created.set(collection, table)
        }
        return table
      }),
    )
  }

  return {
    kind: 'postgres',
    shared: true,
    adapter,
    storedKey: (_collection, key) => key,
    async insertIfAbsent(collection, key, serialized) {
      const table = tableName(collection)
      const postgres = adapter(collection)
      await postgres.query(
        `DELETE FROM ${table} WHERE key = $1 AND (value::json->>'expires') IS NOT NULL AND (value::json->>'expires')::bigint < $2`,
        [key, Date.now()],
      )
      const rows = (await postgres.query(
        `INSERT INTO ${table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [key, serialized],
      )) as unknown[]
      return rows.length === 1
    },
    async insertMany(collection, entries) {
      await adapter(collection).query(
        `INSERT INTO ${tableName(collection)} (key, value) SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [entries.map((entry) => entry.key), entries.map((entry) => entry.serialized)],
      )
    },
    async insertManyIfAbsent(collection, entries) {
      const table = tableName(collection)
      const postgres = adapter(collection)
      const keys = entries.map((entry) => entry.key)
      await postgres.query(
        `DELETE FROM ${table} WHERE key = ANY($1) AND (value::json->>'expires') IS NOT NULL AND (value::json->>'expires')::bigint < $2`,
        [keys, Date.now()],
      )
      const rows = (await postgres.query(
        `INSERT INTO ${table} (key, value) SELECT * FROM UNNEST($1::text[], $2::text[]) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [keys, entries.map((entry) => entry.serialized)],
      )) as { key: string }[]
      return new Set(rows.map((row) => row.key))
    },
    append: createPostgresAppend(query, ready, tables, tableName),
    async *listKeys(collection, prefix) {
      const rows = (await adapter(collection).query(`SELECT key FROM ${tableName(collection)} WHERE key LIKE $1`, [
        likePrefix(prefix),
      ])) as { key: string }[]
      for (const row of rows) yield row.key
    },
    async check() {
      // @keyv/postgres reports a failed connection as an 'error' event and then fails the query with a TypeError.
      const postgres = adapter('policy')
      let reported: unknown
      const listener = (error: unknown) => (reported ??= error)
      postgres.on('error', listener)
      try {
        await postgres.query('SELECT 1')
      } catch (error) {
        throw reported ?? error
      } finally {
        postgres.off('error', listener)
      }
    },
    async compact(collections) {
      // VACUUM removes the dead rows (and their index entries) so their space is reused by the next writes; it takes
      // no lock that blocks readers or writers. The bytes stay in the table's pages until then, and in the WAL until
      // its segments are recycled: the README says when they go and how to force it (VACUUM FULL, CHECKPOINT).
      for (const collection of new Set(collections)) await adapter(collection).query(`VACUUM ${tableName(collection)}`)
    },
    counters: createPostgresCounters(query, ready),
    lockPrimitives: createPostgresLockPrimitives(query, ready),
    jobQueue: (name, settings) => createBullmqJobQueue({ kind: 'postgres', url }, name, settings),
    async clearCoordination() {
      await ready()
      for (const table of postgresCoordinationTables) await query(`DELETE FROM ${table}`)
    },
    async close() {
      const first = adapters.values().next().value
      adapters.clear()
      // Disconnecting one adapter ends the shared pool for all of them.
      await first?.disconnect()
    },
  }
}
