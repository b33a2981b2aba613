// Store.append on PostgreSQL: one plpgsql function, created once per process and called with one SELECT, so the step is
// one round trip and one transaction. The guard row is read FOR SHARE: a forget that deletes it and then erases the
// history waits for this step to commit, so its erase sees (and deletes) what the step wrote; a step that comes after
// the delete finds no guard and writes nothing.
import type { SerializedAppendStep } from './store-backend.js'
import { sequencePlaceholder, type AppendOutcome, type CollectionName } from './store.js'

type Query = (sql: string, values?: unknown[]) => Promise<unknown[]>

// A value is live when its keyv envelope has no `expires` or one not yet past (as insertIfAbsent and keyv's reads
// treat it, by the bot's clock: `now_ms`). Counters are timed by the server's clock, as in postgres-coordination.ts.
const createFunction = `
CREATE OR REPLACE FUNCTION hyperalign_append(
  guard_table text, guard_key text, claim_table text, claim_key text, claim_value text,
  counter_key text, counter_field text, also_increment text[],
  write_tables text[], write_keys text[], write_values text[], placeholder text, now_ms bigint
) RETURNS jsonb LANGUAGE plpgsql AS $function$
#variable_conflict use_column
DECLARE
  live constant text := '((value::json->>''expires'') IS NULL OR (value::json->>''expires'')::bigint >= $2)';
  found_row boolean;
  additions jsonb;
  counter_fields jsonb;
  step_sequence text;
BEGIN
  EXECUTE format('SELECT true FROM %I WHERE key = $1 AND %s FOR SHARE', guard_table, live) INTO found_row USING guard_key, now_ms;
  IF found_row IS NULL THEN RETURN jsonb_build_object('status', 'unguarded'); END IF;

  -- A lapsed claim counts as absent. Of two steps inserting one claim key, the second waits for the first to commit
  -- and then finds the conflict.
  EXECUTE format('DELETE FROM %I WHERE key = $1 AND NOT %s', claim_table, live) USING claim_key, now_ms;
  found_row := NULL;
  EXECUTE format('INSERT INTO %I (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING true', claim_table) INTO found_row USING claim_key, claim_value;
  IF found_row IS NULL THEN RETURN jsonb_build_object('status', 'claimed'); END IF;

  SELECT jsonb_object_agg(name, amount) INTO additions
    FROM (SELECT name, count(*) AS amount FROM unnest(ARRAY[counter_field] || also_increment) AS name GROUP BY name) AS counted;
  INSERT INTO hyperalign_native_counters AS t (key, fields, expires_at) VALUES (counter_key, additions, NULL)
    ON CONFLICT (key) DO UPDATE SET
      fields = (SELECT jsonb_object_agg(name, coalesce((live_fields ->> name)::bigint, 0) + coalesce((excluded.fields ->> name)::bigint, 0))
                FROM (SELECT CASE WHEN t.expires_at IS NOT NULL AND t.expires_at < (extract(epoch from clock_timestamp()) * 1000)::bigint
                                  THEN '{}'::jsonb ELSE t.fields END AS live_fields) AS existing,
                     jsonb_object_keys(live_fields || excluded.fields) AS name),
      expires_at = NULL
    RETURNING t.fields INTO counter_fields;
  step_sequence := counter_fields ->> counter_field;

  IF position(placeholder in claim_value) > 0 THEN
    EXECUTE format('UPDATE %I SET value = replace(value, $2, $3) WHERE key = $1', claim_table) USING claim_key, placeholder, step_sequence;
  END IF;
  FOR i IN 1 .. coalesce(array_length(write_tables, 1), 0) LOOP
    EXECUTE format('INSERT INTO %I (key, value) VALUES (replace($1, $3, $4), replace($2, $3, $4)) ON CONFLICT (key) DO UPDATE SET value = excluded.value', write_tables[i])
      USING write_keys[i], write_values[i], placeholder, step_sequence;
  END LOOP;
  RETURN jsonb_build_object('status', 'appended', 'sequence', step_sequence::bigint, 'counter', counter_fields);
END
$function$`

/** Creates the function once per process; two processes replacing it at once may see the other's update once. */
export function postgresAppendSchema(query: Query): () => Promise<void> {
  let ready: Promise<void> | undefined
  const create = async () => {
    try {
      await query(createFunction)
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string }
      // The other process's CREATE OR REPLACE committed: the function is there.
      if (code !== '23505' && !(code === 'XX000' && /concurrently updated/.test(message ?? ''))) throw error
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

/**
 * `tables(collections)` resolves once keyv's adapters have created those collections' tables (each adapter creates its
 * own on first use); `ready()` once the coordination tables and the function exist.
 */
export function createPostgresAppend(
  query: Query,
  ready: () => Promise<void>,
  tables: (collections: CollectionName[]) => Promise<void>,
  tableName: (collection: CollectionName) => string,
) {
  return async (step: SerializedAppendStep): Promise<AppendOutcome> => {
    await Promise.all([ready(), tables([step.guard.collection, step.claim.collection, ...step.writes.map((write) => write.collection)])])
    const rows = (await query(`SELECT hyperalign_append($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10::text[], $11::text[], $12, $13) AS outcome`, [
      tableName(step.guard.collection),
      step.guard.key,
      tableName(step.claim.collection),
      step.claim.key,
      step.claim.serialized,
      step.sequence.key,
      step.sequence.field,
      step.sequence.alsoIncrement,
      step.writes.map((write) => tableName(write.collection)),
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
