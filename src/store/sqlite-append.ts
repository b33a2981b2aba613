// Store.append on SQLite, with group commit. SQLite's cost is mostly per transaction and per trip to its thread, so:
// - a step alone (one message at a time) is one transaction sent in one call (`exec`). Its conditions fail a NOT
//   NULL check on a scratch table: the error rolls the step back and names the condition. The counter's values after
//   it are known without reading them back (see `known`), so the step is one trip in all.
// - steps that wait while a transaction runs (messages in flight) go together in the next: one transaction, one
//   `exec`, then one read of their outcomes. Each step's conditions are evaluated into a row of a scratch table and
//   its writes are conditioned on that row, so a step that finds no consent or a taken claim writes nothing and
//   leaves the others alone; they run in order, so a later step sees what an earlier one claimed and counted.
// `exec` takes no parameters, so every value goes in as a hex literal (no quoting to get wrong, whatever the text). A
// transaction that fails (the disk, a lock held past the busy timeout) fails all its steps and has written nothing.
import sqlite3 from 'sqlite3'
import { sqliteCountersTable } from './sqlite-coordination.js'
import { tableName, type SerializedAppendStep } from './store-backend.js'
import { sequencePlaceholder, type AppendOutcome, type CollectionName } from './store.js'

const checkTable = 'temp.hyperalign_append_check'
const outcomesTable = 'temp.hyperalign_append_outcome'
/** Steps in one transaction at most: bounds the statement text (a few KB per step) and the wait of the last step. */
const maxStepsPerTransaction = 64
/** The DDL keyv's SQLite adapter runs for a collection's table, so a step can be the first to write one. */
const collectionTable = (collection: CollectionName) => `CREATE TABLE IF NOT EXISTS ${tableName(collection)}(key VARCHAR(255) PRIMARY KEY, value TEXT )`

const text = (value: string) => `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`
const fieldPath = (field: string) => {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(field)) throw new Error(`counter field ${JSON.stringify(field)} is not a plain name`)
  return `'$."${field}"'`
}
const live = (table: string, key: string, now: number) =>
  `SELECT 1 FROM ${table} WHERE key = ${text(key)} AND (json_extract(value, '$.expires') IS NULL OR json_extract(value, '$.expires') >= ${now})`

/** The step's writes (counter, claim, rows), each taken only `when` the condition holds (a SQL expression). */
function writeStatements(step: SerializedAppendStep, now: number, when: string): string[] {
  const counter = sqliteCountersTable
  const fields = [step.sequence.field, ...step.sequence.alsoIncrement]
  const sequence = `(SELECT json_extract(fields, ${fieldPath(step.sequence.field)}) FROM ${counter} WHERE key = ${text(step.sequence.key)})`
  const numbered = (value: string) => `replace(${text(value)}, ${text(sequencePlaceholder)}, ${sequence})`
  const current = `CASE WHEN expires_at IS NOT NULL AND expires_at < ${now} THEN '{}' ELSE fields END`
  // (An upsert from a SELECT needs its WHERE: SQLite's grammar would otherwise read ON CONFLICT as a join's ON.)
  return [
    `INSERT INTO ${counter} (key, fields, expires_at) SELECT ${text(step.sequence.key)}, json_object(${fields.map((field) => `${text(field)}, 1`).join(', ')}), NULL WHERE ${when}
     ON CONFLICT(key) DO UPDATE SET expires_at = NULL, fields = json_set(${current}, ${fields.map((field) => `${fieldPath(field)}, coalesce(json_extract(${current}, ${fieldPath(field)}), 0) + 1`).join(', ')})`,
    // Any entry left at the claim's key is one whose time has passed (the conditions): it counts as absent.
    `INSERT INTO ${tableName(step.claim.collection)} (key, value) SELECT ${text(step.claim.key)}, ${numbered(step.claim.serialized)} WHERE ${when} ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    ...step.writes.map(
      (write) => `INSERT INTO ${tableName(write.collection)} (key, value) SELECT ${numbered(write.key)}, ${numbered(write.serialized)} WHERE ${when} ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    ),
  ]
}

/** A step alone: its conditions checked first, failing the transaction (NOT NULL is checked in column order). */
function aloneTransaction(step: SerializedAppendStep, now: number): string {
  const claim = `CASE WHEN EXISTS (${live(tableName(step.claim.collection), step.claim.key, now)}) THEN NULL ELSE 'ok' END`
  return [
    'BEGIN IMMEDIATE',
    `INSERT INTO ${checkTable} (guard, claim) SELECT (${live(tableName(step.guard.collection), step.guard.key, now)}), ${claim}`,
    `DELETE FROM ${checkTable}`,
    ...writeStatements(step, now, 'true'),
    'COMMIT',
  ].join(';\n')
}

/** Steps together: each step's conditions in its row of the outcomes, its writes taken only if they hold. */
function groupTransaction(steps: readonly SerializedAppendStep[], now: number): string {
  const statements = steps.flatMap((step, index) => [
    `INSERT INTO ${outcomesTable} (step, guard, claim) VALUES (${index}, EXISTS (${live(tableName(step.guard.collection), step.guard.key, now)}), EXISTS (${live(tableName(step.claim.collection), step.claim.key, now)}))`,
    ...writeStatements(step, now, `(SELECT guard AND NOT claim FROM ${outcomesTable} WHERE step = ${index})`),
    `UPDATE ${outcomesTable} SET fields = (SELECT fields FROM ${sqliteCountersTable} WHERE key = ${text(step.sequence.key)}) WHERE step = ${index} AND guard AND NOT claim`,
  ])
  // Rows a failed read of outcomes left behind would collide with this transaction's; they go first.
  return ['BEGIN IMMEDIATE', `DELETE FROM ${outcomesTable}`, ...statements, 'COMMIT'].join(';\n')
}

type Pending = { step: SerializedAppendStep; resolve: (outcome: AppendOutcome) => void; reject: (error: unknown) => void }

/**
 * `serialized` is the queue shared with the counters: no counter change of this process interleaves with a step, so
 * the values a step last saw are current unless the counters changed them, and they say so (`changed`).
 */
export function createSqliteAppend(file: string, pragmas: readonly string[], serialized: <T>(work: () => Promise<T>) => Promise<T>) {
  let connection: Promise<sqlite3.Database> | undefined
  const prepared = new Set<CollectionName>()
  /** Sequence counters as of the last step on each (bounded: dropped whole when full, then read again once each). */
  const known = new Map<string, Record<string, number>>()
  const remember = (key: string, values: Record<string, number>) => {
    if (known.size >= 50_000) known.clear()
    known.set(key, values)
  }
  const pending: Pending[] = []
  let scheduled = false

  const exec = (database: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => database.exec(sql, (error) => (error ? reject(error) : resolve())))
  const all = (database: sqlite3.Database, sql: string, ...values: unknown[]) =>
    new Promise<unknown[]>((resolve, reject) => database.all(sql, values, (error, rows) => (error ? reject(error) : resolve(rows))))

  const open = () =>
    (connection ??= new Promise<sqlite3.Database>((resolve, reject) => {
      const database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(database)))
      database.configure('busyTimeout', 10_000)
    }).then(async (database) => {
      await exec(
        database,
        [
          ...pragmas,
          // The scratch tables are written in every transaction: in memory, they cost no file work.
          'PRAGMA temp_store=MEMORY',
          `CREATE TEMP TABLE IF NOT EXISTS hyperalign_append_check (guard TEXT NOT NULL, claim TEXT NOT NULL)`,
          `CREATE TEMP TABLE IF NOT EXISTS hyperalign_append_outcome (step INTEGER PRIMARY KEY, guard INTEGER NOT NULL, claim INTEGER NOT NULL, fields TEXT)`,
        ].join(';\n'),
      )
      await exec(database, `CREATE TABLE IF NOT EXISTS ${sqliteCountersTable} (key TEXT PRIMARY KEY, fields TEXT NOT NULL, expires_at INTEGER)`)
      return database
    }))

  const transact = async (database: sqlite3.Database, sql: string) => {
    try {
      await exec(database, sql)
    } catch (error) {
      // The scratch rows are rolled back with the rest.
      await exec(database, 'ROLLBACK').catch(() => {})
      throw error
    }
  }

  const runAlone = async (database: sqlite3.Database, step: SerializedAppendStep): Promise<AppendOutcome> => {
    try {
      await transact(database, aloneTransaction(step, Date.now()))
    } catch (error) {
      const message = (error as Error).message
      if (message.includes('hyperalign_append_check.guard')) return { status: 'unguarded' }
      if (message.includes('hyperalign_append_check.claim')) return { status: 'claimed' }
      throw error
    }
    const fields = [step.sequence.field, ...step.sequence.alsoIncrement]
    let values = known.get(step.sequence.key)
    if (values) for (const field of fields) values[field] = (values[field] ?? 0) + 1
    else {
      const [row] = (await all(database, `SELECT fields FROM ${sqliteCountersTable} WHERE key = ?`, step.sequence.key)) as { fields: string }[]
      values = JSON.parse(row?.fields ?? '{}') as Record<string, number>
      remember(step.sequence.key, values)
    }
    return { status: 'appended', sequence: values[step.sequence.field] ?? 0, counter: { ...values } }
  }

  const runGroup = async (database: sqlite3.Database, steps: readonly SerializedAppendStep[]): Promise<AppendOutcome[]> => {
    await transact(database, groupTransaction(steps, Date.now()))
    const rows = (await all(database, `DELETE FROM ${outcomesTable} RETURNING step, guard, claim, fields`)) as { step: number; guard: number; claim: number; fields: string | null }[]
    const byStep = new Map(rows.map((row) => [row.step, row]))
    return steps.map((step, index): AppendOutcome => {
      const row = byStep.get(index)
      if (!row) throw new Error('an append step of the transaction left no outcome')
      if (!row.guard) return { status: 'unguarded' }
      if (row.claim) return { status: 'claimed' }
      const counter = JSON.parse(row.fields ?? '{}') as Record<string, number>
      // In order, so the last step on a counter leaves its latest values.
      remember(step.sequence.key, { ...counter })
      return { status: 'appended', sequence: counter[step.sequence.field] ?? 0, counter }
    })
  }

  /** One transaction of the steps waiting now (up to the bound); the rest go in the next. */
  const runWaiting = async () => {
    const batch = pending.splice(0, maxStepsPerTransaction)
    if (pending.length) serialized(runWaiting).catch(() => {})
    else scheduled = false
    try {
      const database = await open()
      const collections = batch.flatMap(({ step }) => [step.guard.collection, step.claim.collection, ...step.writes.map((write) => write.collection)]).filter((each) => !prepared.has(each))
      if (collections.length) {
        await exec(database, [...new Set(collections)].map(collectionTable).join(';\n'))
        for (const each of collections) prepared.add(each)
      }
      if (batch.length === 1) batch[0]!.resolve(await runAlone(database, batch[0]!.step))
      else {
        const outcomes = await runGroup(database, batch.map((each) => each.step))
        batch.forEach((each, index) => each.resolve(outcomes[index]!))
      }
    } catch (error) {
      // Whatever was remembered of these counters may be off now: they are read again.
      for (const { step } of batch) known.delete(step.sequence.key)
      for (const each of batch) each.reject(error)
    }
  }

  return {
    append(step: SerializedAppendStep): Promise<AppendOutcome> {
      return new Promise<AppendOutcome>((resolve, reject) => {
        pending.push({ step, resolve, reject })
        if (scheduled) return
        scheduled = true
        serialized(runWaiting).catch(() => {})
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
