// Store.append on SQLite: the whole step as one transaction sent in one call (`exec`, one trip to SQLite's thread),
// then one read of the counter. `exec` takes no parameters, so every value goes in as a hex literal (no quoting to
// get wrong, whatever the text). Its conditions fail a NOT NULL check on a scratch table: the error rolls the step
// back and names the condition. Runs in the counters' queue, so no counter change of this process interleaves, and
// the counter's values after the step are known without reading them back: one process writes an SQLite file, so
// the values last seen are current unless the counters changed them, and they say so (`changed`).
import sqlite3 from 'sqlite3'
import { sqliteCountersTable } from './sqlite-coordination.js'
import { tableName, type SerializedAppendStep } from './store-backend.js'
import { sequencePlaceholder, type AppendOutcome, type CollectionName } from './store.js'

const checkTable = 'temp.hyperalign_append_check'
/** The DDL keyv's SQLite adapter runs for a collection's table, so a step can be the first to write one. */
const collectionTable = (collection: CollectionName) => `CREATE TABLE IF NOT EXISTS ${tableName(collection)}(key VARCHAR(255) PRIMARY KEY, value TEXT )`

const text = (value: string) => `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`
const fieldPath = (field: string) => {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(field)) throw new Error(`counter field ${JSON.stringify(field)} is not a plain name`)
  return `'$."${field}"'`
}
const live = (table: string, key: string, now: number) =>
  `SELECT 1 FROM ${table} WHERE key = ${text(key)} AND (json_extract(value, '$.expires') IS NULL OR json_extract(value, '$.expires') >= ${now})`

export function createSqliteAppend(file: string, pragmas: readonly string[], serialized: <T>(work: () => Promise<T>) => Promise<T>) {
  let connection: Promise<sqlite3.Database> | undefined
  const prepared = new Set<CollectionName>()
  /** Sequence counters as of the last step on each (bounded: dropped whole when full, then read again once each). */
  const known = new Map<string, Record<string, number>>()

  const open = () =>
    (connection ??= new Promise<sqlite3.Database>((resolve, reject) => {
      const database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(database)))
      database.configure('busyTimeout', 10_000)
    }).then(async (database) => {
      await exec(database, [...pragmas, `CREATE TEMP TABLE IF NOT EXISTS hyperalign_append_check (guard TEXT NOT NULL, claim TEXT NOT NULL)`].join(';\n'))
      await exec(database, `CREATE TABLE IF NOT EXISTS ${sqliteCountersTable} (key TEXT PRIMARY KEY, fields TEXT NOT NULL, expires_at INTEGER)`)
      return database
    }))

  const exec = (database: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => database.exec(sql, (error) => (error ? reject(error) : resolve())))
  const all = (database: sqlite3.Database, sql: string, ...values: unknown[]) =>
    new Promise<unknown[]>((resolve, reject) => database.all(sql, values, (error, rows) => (error ? reject(error) : resolve(rows))))

  return {
    async append(step: SerializedAppendStep): Promise<AppendOutcome> {
      const database = await open()
      const collections = [step.guard.collection, step.claim.collection, ...step.writes.map((write) => write.collection)].filter((each) => !prepared.has(each))
      if (collections.length) {
        await exec(database, [...new Set(collections)].map(collectionTable).join(';\n'))
        for (const each of collections) prepared.add(each)
      }
      const now = Date.now()
      const counter = sqliteCountersTable
      const fields = [step.sequence.field, ...step.sequence.alsoIncrement]
      const sequence = `(SELECT json_extract(fields, ${fieldPath(step.sequence.field)}) FROM ${counter} WHERE key = ${text(step.sequence.key)})`
      const numbered = (value: string) => `replace(${text(value)}, ${text(sequencePlaceholder)}, ${sequence})`
      const claimTable = tableName(step.claim.collection)
      const sql = [
        'BEGIN IMMEDIATE',
        // NOT NULL is checked column by column, in order: a missing guard is reported before a live claim.
        `INSERT INTO ${checkTable} (guard, claim) SELECT (${live(tableName(step.guard.collection), step.guard.key, now)}), CASE WHEN EXISTS (${live(claimTable, step.claim.key, now)}) THEN NULL ELSE 'ok' END`,
        `DELETE FROM ${checkTable}`,
        `INSERT INTO ${counter} (key, fields, expires_at) VALUES (${text(step.sequence.key)}, json_object(${fields.map((field) => `${text(field)}, 1`).join(', ')}), NULL)
         ON CONFLICT(key) DO UPDATE SET expires_at = NULL, fields = json_set(CASE WHEN expires_at IS NOT NULL AND expires_at < ${now} THEN '{}' ELSE fields END, ${fields
           .map((field) => `${fieldPath(field)}, coalesce(json_extract(CASE WHEN expires_at IS NOT NULL AND expires_at < ${now} THEN '{}' ELSE fields END, ${fieldPath(field)}), 0) + 1`)
           .join(', ')})`,
        // Any entry left at the claim's key is one whose time has passed (the check above): it counts as absent.
        `INSERT INTO ${claimTable} (key, value) VALUES (${text(step.claim.key)}, ${numbered(step.claim.serialized)}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        ...step.writes.map(
          (write) => `INSERT INTO ${tableName(write.collection)} (key, value) VALUES (${numbered(write.key)}, ${numbered(write.serialized)}) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        ),
        'COMMIT',
      ].join(';\n')
      return serialized(async () => {
        try {
          await exec(database, sql)
        } catch (error) {
          await exec(database, `DELETE FROM ${checkTable}; ROLLBACK`).catch(() => {})
          const message = (error as Error).message
          if (message.includes('hyperalign_append_check.guard')) return { status: 'unguarded' }
          if (message.includes('hyperalign_append_check.claim')) return { status: 'claimed' }
          throw error
        }
        let values = known.get(step.sequence.key)
        if (values) for (const field of fields) values[field] = (values[field] ?? 0) + 1
        else {
          const [row] = (await all(database, `SELECT fields FROM ${counter} WHERE key = ?`, step.sequence.key)) as { fields: string }[]
          values = JSON.parse(row?.fields ?? '{}') as Record<string, number>
          if (known.size >= 50_000) known.clear()
          known.set(step.sequence.key, values)
        }
        return { status: 'appended', sequence: values[step.sequence.field] ?? 0, counter: { ...values } }
      })
    },
    /** The counters changed these keys (called in the queue, after the change). */
    changed(keys: readonly string[]) {
      for (const key of keys) known.delete(key)
    },
    async close() {
      known.clear()
      if (!connection) return
      const database = await connection.catch(() => undefined)
      connection = undefined
      if (database) await new Promise<void>((resolve) => database.close(() => resolve()))
    },
  }
}
