// Store.append on PostgreSQL: one plpgsql function, called with one SELECT, so the step is one round trip and one
// transaction. The function is generated per set of tables a step touches (in practice one: consent, message owners,
// history) with the table names written into static SQL, so each connection plans its statements once and reuses the
// plans; statements built at run time (EXECUTE) would be parsed and planned again on every message.
// The guard row is read FOR SHARE: a forget that deletes it and then erases the history waits for this step to
// commit, so its erase sees (and deletes) what the step wrote; a step that comes after the delete finds no guard and
// writes nothing.
import { createHash } from 'node:crypto'
import type { SerializedAppendStep } from './store-backend.js'
import { sequencePlaceholder, type AppendOutcome, type CollectionName } from './store.js'

type Query = (sql: string, values?: unknown[]) => Promise<unknown[]>

const identifier = (name: string) => `"${name.replaceAll('"', '""')}"`

// A value is live when its keyv envelope has no `expires` or one not yet past (as insertIfAbsent and keyv's reads
// treat it, by the bot's clock: `now_ms`). Counters are timed by the server's clock, as in postgres-coordination.ts.
const expires = (row: string) => `(${row}.value::json->>'expires')`

/** The function's text for one guard table, one claim table and the write tables in order; its name is its hash. */
export function appendFunction(guardTable: string, claimTable: string, writeTables: readonly string[]): { name: string; sql: string } {
  const guard = identifier(guardTable)
  const claim = identifier(claimTable)
  const body = `(
  guard_key text, claim_key text, claim_value text, counter_key text, counter_field text, also_increment text[],
  write_keys text[], write_values text[], placeholder text, now_ms bigint
) RETURNS jsonb LANGUAGE plpgsql AS $function$
DECLARE
  counter_fields jsonb;
  step_sequence text;
BEGIN
  PERFORM 1 FROM ${guard} AS g WHERE g.key = guard_key AND (${expires('g')} IS NULL OR ${expires('g')}::bigint >= now_ms) FOR SHARE;
  IF NOT FOUND THEN RETURN '{"status": "unguarded"}'::jsonb; END IF;

  -- One statement claims: a new key, or one whose claim has lapsed (it counts as absent). Of two steps with one claim
  -- key, the second waits for the first to commit and then finds a live claim.
  INSERT INTO ${claim} AS c (key, value) VALUES (claim_key, claim_value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE ${expires('c')} IS NOT NULL AND ${expires('c')}::bigint < now_ms;
  IF NOT FOUND THEN RETURN '{"status": "claimed"}'::jsonb; END IF;

  INSERT INTO hyperalign_native_counters AS t (key, fields, expires_at)
    VALUES (counter_key, (SELECT jsonb_object_agg(name, amount) FROM (SELECT name, count(*) AS amount FROM unnest(ARRAY[counter_field] || also_increment) AS name GROUP BY name) AS counted), NULL)
    ON CONFLICT (key) DO UPDATE SET
      fields = (SELECT jsonb_object_agg(name, coalesce((live_fields ->> name)::bigint, 0) + coalesce((excluded.fields ->> name)::bigint, 0))
                FROM (SELECT CASE WHEN t.expires_at IS NOT NULL AND t.expires_at < (extract(epoch from clock_timestamp()) * 1000)::bigint
                                  THEN '{}'::jsonb ELSE t.fields END AS live_fields) AS existing,
                     jsonb_object_keys(live_fields || excluded.fields) AS name),
      expires_at = NULL
    RETURNING t.fields INTO counter_fields;
  step_sequence := counter_fields ->> counter_field;

  IF position(placeholder in claim_value) > 0 THEN
    UPDATE ${claim} AS c SET value = replace(c.value, placeholder, step_sequence) WHERE c.key = claim_key;
  END IF;
${writeTables
  .map(
    (table, index) =>
      `  INSERT INTO ${identifier(table)} (key, value) VALUES (replace(write_keys[${index + 1}], placeholder, step_sequence), replace(write_values[${index + 1}], placeholder, step_sequence))
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;`,
  )
  .join('\n')}
  RETURN jsonb_build_object('status', 'appended', 'sequence', step_sequence::bigint, 'counter', counter_fields);
END
$function$`
  const name = `hyperalign_append_${createHash('sha1').update(body).digest('hex').slice(0, 16)}`
  return { name, sql: `CREATE OR REPLACE FUNCTION ${name}${body}` }
}

/**
 * `tables(collections)` resolves once keyv's adapters have created those collections' tables (each adapter creates its
 * own on first use); `ready()` once the coordination tables exist.
 */
export function createPostgresAppend(
  query: Query,
  ready: () => Promise<void>,
  tables: (collections: CollectionName[]) => Promise<void>,
  tableName: (collection: CollectionName) => string,
) {
  /** Each function created once per process; a failed creation is tried again by the next step. */
  const created = new Map<string, Promise<void>>()
  const create = (name: string, sql: string) => {
    let done = created.get(name)
    if (!done) {
      done = query(sql).then(
        () => undefined,
        (error: unknown) => {
          const { code, message } = error as { code?: string; message?: string }
          // Another process created the same function at the same moment: it is there.
          if (code === '23505' || (code === 'XX000' && /concurrently updated/.test(message ?? ''))) return
          created.delete(name)
          throw error
        },
      )
      created.set(name, done)
    }
    return done
  }

  /** The function of each table set, made once: its text and hash would otherwise be built again for every message. */
  const functions = new Map<string, { name: string; sql: string }>()
  const functionFor = (collections: CollectionName[]) => {
    const names = collections.map(tableName)
    const key = names.join(' ')
    let fn = functions.get(key)
    if (!fn) functions.set(key, (fn = appendFunction(names[0]!, names[1]!, names.slice(2))))
    return fn
  }

  return async (step: SerializedAppendStep): Promise<AppendOutcome> => {
    // Guard, claim, then the writes in order: the function's parameters follow this order.
    const collections = [step.guard.collection, step.claim.collection, ...step.writes.map((write) => write.collection)]
    const fn = functionFor(collections)
    await Promise.all([ready(), tables(collections)])
    await create(fn.name, fn.sql)
    const rows = (await query(`SELECT ${fn.name}($1, $2, $3, $4, $5, $6::text[], $7::text[], $8::text[], $9, $10) AS outcome`, [
      step.guard.key,
      step.claim.key,
      step.claim.serialized,
      step.sequence.key,
      step.sequence.field,
      step.sequence.alsoIncrement,
      step.writes.map((write) => write.key),
      step.writes.map((write) => write.serialized),
      sequencePlaceholder,
      Date.now(),
    ])) as { outcome: { status: string; sequence?: number; counter?: Record<string, unknown> } }[]
    const outcome = rows[0]!.outcome
    if (outcome.status === 'unguarded') return { status: 'unguarded' }
    if (outcome.status === 'claimed') return { status: 'claimed' }
    const counter = Object.fromEntries(Object.entries(outcome.counter ?? {}).map(([field, value]) => [field, Number(value)]))
    return { status: 'appended', sequence: Number(outcome.sequence), counter }
  }
}
