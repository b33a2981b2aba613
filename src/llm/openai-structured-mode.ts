// Which structured-output mode one server gets: json_schema until the server itself answers that it does not support
// it, then JSON mode, with json_schema tried again now and then (servers get upgraded, routers change backends).
// It never downgrades on a bad reply: garbage is the failure of that one call, not evidence about the server.
import type { Logger } from '../logger.js'

export type StructuredMode = 'json_schema' | 'json_object'

/** After a downgrade, json_schema is probed again after this many JSON-mode calls or this much time, whichever first. */
export type ReprobePolicy = { afterCalls: number; afterMs: number }

export const defaultReprobePolicy: ReprobePolicy = { afterCalls: 100, afterMs: 15 * 60_000 }

export type StructuredModeTracker = {
  /** The mode calls currently get (a probe aside). */
  readonly mode: StructuredMode
  /** The mode for the next call; while downgraded, now and then `json_schema` as a probe. */
  next(): StructuredMode
  /** The server answered a json_schema request with "not supported". */
  rejected(): void
  /** The server took a json_schema request (whatever the reply said). */
  accepted(): void
}

export function createStructuredModeTracker(options: {
  logger: Logger
  model: string
  host: string
  reprobe?: Partial<ReprobePolicy>
  clock?: () => number
}): StructuredModeTracker {
  const policy = { ...defaultReprobePolicy, ...options.reprobe }
  const clock = options.clock ?? Date.now
  // Set while downgraded: since when, and JSON-mode calls since then (or since the last probe).
  let downgraded: { since: number; calls: number } | undefined

  return {
    get mode() {
      return downgraded ? 'json_object' : 'json_schema'
    },
    next() {
      if (!downgraded) return 'json_schema'
      downgraded.calls += 1
      if (downgraded.calls <= policy.afterCalls && clock() - downgraded.since < policy.afterMs) return 'json_object'
      // One probe per period, however many calls are in flight: the others stay in JSON mode meanwhile.
      downgraded = { since: clock(), calls: 0 }
      return 'json_schema'
    },
    rejected() {
      if (!downgraded) options.logger.warn('llm_json_schema_unsupported', { model: options.model, host: options.host, fallback: 'json_object', reprobeAfterCalls: policy.afterCalls, reprobeAfterMs: policy.afterMs })
      downgraded = { since: clock(), calls: 0 }
    },
    accepted() {
      if (!downgraded) return
      downgraded = undefined
      options.logger.info('llm_json_schema_supported', { model: options.model, host: options.host })
    },
  }
}
