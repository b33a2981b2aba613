// Atomic counters and fenced locks on PostgreSQL: each is one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (a row
// lock serializes concurrent changes), leases are timed by the server's clock, tokens come from a sequence.
// Tables are created on first use; records stay in keyv's tables.
import type { AtomicCounters, CounterValues, LockPrimitives } from './coordination.js'

type Query = (sql: string, values?: unknown[]) => Promise<unknown[]>

const counters = 'hyperalign_native_counters'
const locks = 'hyperalign_native_locks'
const now = `(extract(epoch from clock_timestamp()) * 1000)::bigint`

const schema = [
  `CREATE TABLE IF NOT EXISTS ${counters} (key text PRIMARY KEY, fields jsonb NOT NULL, expires_at bigint)`,
  `CREATE TABLE IF NOT EXISTS ${locks} (key text PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL, expires_at bigint NOT NULL)`,
  `CREATE SEQUENCE IF NOT EXISTS hyperalign_native_lock_token`,
]

/** Creates the tables once per process; two processes racing on CREATE … IF NOT EXISTS may see a duplicate error once. */
export function postgresCoordinationSchema(query: Query): () => Promise<void> {
  let ready: Promise<void> | undefined
  const create = async () => {
    for (const statement of schema) {
      try {
        await query(statement)
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code !== '23505' && code !== '42P07') throw error
      }
    }
  }
  return () => {
    ready ??= create().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }
}

export function createPostgresCounters(query: Query, ready: () => Promise<void>): AtomicCounters {
  const live = (row: string) => `CASE WHEN ${row}.expires_at IS NOT NULL AND ${row}.expires_at < ${now} THEN '{}'::jsonb ELSE ${row}.fields END`
  return {
    async add(entries) {
      if (entries.length === 0) return []
      await ready()
      // One statement for every entry; keys must be distinct within it, so repeated keys are merged first.
      const merged = new Map<string, { deltas: CounterValues; ttlMs?: number }>()
      for (const entry of entries) {
        const existing = merged.get(entry.key) ?? { deltas: {}, ttlMs: entry.ttlMs }
        for (const [field, delta] of Object.entries(entry.deltas)) existing.deltas[field] = (existing.deltas[field] ?? 0) + Math.round(delta)
        existing.ttlMs = entry.ttlMs ?? existing.ttlMs
        merged.set(entry.key, existing)
      }
      const payload = [...merged].map(([key, { deltas, ttlMs }]) => ({ key, fields: deltas, ttl: ttlMs ?? 0 }))
      const rows = (await query(
        `INSERT INTO ${counters} AS t (key, fields, expires_at)
         SELECT e.key, e.fields, CASE WHEN e.ttl > 0 THEN ${now} + e.ttl END
         FROM jsonb_to_recordset($1::jsonb) AS e(key text, fields jsonb, ttl bigint)
         ON CONFLICT (key) DO UPDATE SET
           fields = (SELECT jsonb_object_agg(name, coalesce((${live('t')} ->> name)::bigint, 0) + coalesce((excluded.fields ->> name)::bigint, 0))
                     FROM jsonb_object_keys(${live('t')} || excluded.fields) AS name),
           expires_at = coalesce(excluded.expires_at, CASE WHEN t.expires_at < ${now} THEN NULL ELSE t.expires_at END)
         RETURNING key, fields`,
        [JSON.stringify(payload)],
      )) as { key: string; fields: CounterValues }[]
      const byKey = new Map(rows.map((row) => [row.key, numbers(row.fields)]))
      return entries.map((entry) => byKey.get(entry.key) ?? {})
    },
    async addWhileBelow(key, change) {
      await ready()
      const amount = Math.round(change.amount)
      const rows = (await query(
        `INSERT INTO ${counters} AS t (key, fields, expires_at)
         SELECT $1, jsonb_build_object($2::text, $3::bigint), CASE WHEN $5::bigint > 0 THEN ${now} + $5::bigint END
         WHERE 0 < $4::bigint
         ON CONFLICT (key) DO UPDATE SET
           fields = jsonb_set(${live('t')}, ARRAY[$2::text], to_jsonb(coalesce((${live('t')} ->> $2::text)::bigint, 0) + $3::bigint)),
           expires_at = CASE WHEN $5::bigint > 0 THEN ${now} + $5::bigint ELSE t.expires_at END
         WHERE (SELECT coalesce(sum((${live('t')} ->> name)::bigint), 0) FROM unnest($6::text[]) AS name) < $4::bigint
         RETURNING fields`,
        [key, change.field, amount, Math.round(change.limit), change.ttlMs ?? 0, change.limitFields],
      )) as { fields: CounterValues }[]
      if (rows[0]) return { added: true, values: numbers(rows[0].fields) }
      return { added: false, values: await this.get(key) }
    },
    async get(key) {
      await ready()
      const rows = (await query(`SELECT ${live(counters)} AS fields FROM ${counters} WHERE key = $1`, [key])) as { fields: CounterValues }[]
      return numbers(rows[0]?.fields ?? {})
    },
    async *keys(prefix) {
      await ready()
      const rows = (await query(`SELECT key FROM ${counters} WHERE starts_with(key, $1)`, [prefix])) as { key: string }[]
      for (const row of rows) yield row.key
    },
    async delete(keys) {
      if (keys.length === 0) return
      await ready()
      await query(`DELETE FROM ${counters} WHERE key = ANY($1::text[])`, [keys])
    },
  }
}

export function createPostgresLockPrimitives(query: Query, ready: () => Promise<void>): LockPrimitives {
  return {
    async acquire(key, holder, leaseMs) {
      await ready()
      const rows = (await query(
        `INSERT INTO ${locks} AS t (key, holder, token, expires_at) VALUES ($1, $2, nextval('hyperalign_native_lock_token'), ${now} + $3::bigint)
         ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
         WHERE t.expires_at < ${now}
         RETURNING token`,
        [key, holder, leaseMs],
      )) as { token: string }[]
      return rows[0] ? Number(rows[0].token) : undefined
    },
    async extend(key, holder, token, leaseMs) {
      await ready()
      const rows = await query(`UPDATE ${locks} SET expires_at = ${now} + $4::bigint WHERE key = $1 AND holder = $2 AND token = $3 RETURNING 1`, [key, holder, token, leaseMs])
      return rows.length === 1
    },
    async release(key, holder, token) {
      await ready()
      const rows = await query(`DELETE FROM ${locks} WHERE key = $1 AND holder = $2 AND token = $3 RETURNING 1`, [key, holder, token])
      return rows.length === 1
    },
    async holds(key, holder, token) {
      await ready()
      const rows = await query(`SELECT 1 FROM ${locks} WHERE key = $1 AND holder = $2 AND token = $3 AND expires_at >= ${now}`, [key, holder, token])
      return rows.length === 1
    },
  }
}

/** Every table the coordination keeps (for `Store.clear`). */
export const postgresCoordinationTables = [counters, locks]

function numbers(fields: Record<string, unknown>): CounterValues {
  return Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, Number(value)]))
}
