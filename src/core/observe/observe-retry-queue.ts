// Keeps message events that could not be stored because the store was down, in this process's memory only (never
// on disk), and replays them in arrival order once it is back: for platforms that do not redeliver (Discord).
// Bounded by count and age; what falls past a bound is dropped and counted. Consent is checked again on replay.
import { isBotError } from '../../bot-error.js'
import type { Logger } from '../../logger.js'
import { workspaceKey } from '../identity/keys.js'
import type { ObserveOptions } from './observe-pipeline.js'
import type { MemberRef, ObservedMessage, ObserveOutcome, RetryReport, WorkspaceRef } from '../types.js'

export type ObserveRetrySettings = {
  maxMessages: number
  maxAgeMs: number
  /** Wait before the first replay after a failure; doubled after each failed replay, up to `maxDelayMs`. */
  firstDelayMs: number
  maxDelayMs: number
}

type Entry = { message: ObservedMessage; arrivedAt: number; sequence: number }

export type ObserveRetryQueue = ReturnType<typeof createObserveRetryQueue>

export function createObserveRetryQueue(dependencies: {
  observe: (message: ObservedMessage, options: ObserveOptions) => Promise<ObserveOutcome>
  clock: () => number
  logger: Logger
  settings: ObserveRetrySettings
}) {
  const { observe, clock, logger, settings } = dependencies
  const waiting: Entry[] = []
  const dropped = new Map<string, number>()
  let sequence = 0
  let delayMs = settings.firstDelayMs
  let timer: NodeJS.Timeout | undefined
  let draining: Promise<RetryReport> | undefined
  let closed = false

  // The store's append step is atomic, so an attempt cut short left nothing to take back: the next one starts afresh.
  const attempt = (entry: Entry) => observe(entry.message, {})
  const remove = (entry: Entry) => {
    const index = waiting.indexOf(entry)
    if (index >= 0) waiting.splice(index, 1)
  }
  const drop = (entry: Entry, reason: 'retry_queue_full' | 'too_old' | 'failed', error?: unknown) => {
    const label = workspaceKey(entry.message.workspace)
    dropped.set(label, (dropped.get(label) ?? 0) + 1)
    logger.warn('observe_retry_dropped', { workspace: label, kind: entry.message.kind, reason, ...(error ? { error } : {}) })
  }
  const totalDropped = () => [...dropped.values()].reduce((sum, count) => sum + count, 0)

  const dropExpired = () => {
    const cutoff = clock() - settings.maxAgeMs
    for (const entry of waiting.filter((each) => each.arrivedAt < cutoff)) {
      remove(entry)
      drop(entry, 'too_old')
    }
  }

  const schedule = () => {
    if (timer || closed || waiting.length === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void retryNow().catch((error: unknown) => logger.warn('observe_retry_failed', { error }))
    }, delayMs)
    timer.unref()
  }

  const enqueue = (entry: Entry): ObserveOutcome => {
    dropExpired()
    if (waiting.length >= settings.maxMessages) {
      drop(entry, 'retry_queue_full')
      return { status: 'dropped', reason: 'retry_queue_full' }
    }
    // In arrival order, so an edit or a deletion is replayed after the message it changes.
    let index = waiting.length
    while (index > 0 && waiting[index - 1]!.sequence > entry.sequence) index -= 1
    waiting.splice(index, 0, entry)
    schedule()
    return { status: 'queued' }
  }

  const drainOnce = async (): Promise<RetryReport> => {
    const report: RetryReport = { stored: 0, ignored: 0, dropped: 0, waiting: 0 }
    const droppedBefore = totalDropped()
    dropExpired()
    while (waiting.length > 0 && !closed) {
      const entry = waiting[0]!
      try {
        // The whole observe path again: policy, channel and consent as they are now, not as they were.
        const outcome = await attempt(entry)
        if (outcome.status === 'ignored') report.ignored += 1
        else report.stored += 1
      } catch (error) {
        if (isBotError(error, 'store_unavailable')) {
          delayMs = Math.min(delayMs * 2, settings.maxDelayMs)
          break
        }
        // Not an outage: a replay would fail the same way.
        drop(entry, 'failed', error)
      }
      // By identity: a forget may have taken it out meanwhile.
      remove(entry)
      delayMs = settings.firstDelayMs
    }
    report.dropped = totalDropped() - droppedBefore
    report.waiting = waiting.length
    if (report.stored + report.ignored + report.dropped > 0) logger.info('observe_retry_replayed', { ...report })
    return report
  }

  const retryNow = (): Promise<RetryReport> => {
    if (draining) return draining
    clearTimeout(timer)
    timer = undefined
    draining = drainOnce().finally(() => {
      draining = undefined
      schedule()
    })
    return draining
  }

  return {
    /** Observes now; when the store is down, keeps the event for later. Behind what already waits, to keep order. */
    async observe(message: ObservedMessage): Promise<ObserveOutcome> {
      sequence += 1
      const entry: Entry = { message, arrivedAt: clock(), sequence }
      if (waiting.length > 0) return enqueue(entry)
      try {
        return await attempt(entry)
      } catch (error) {
        if (!isBotError(error, 'store_unavailable') || closed) throw error
        return enqueue(entry)
      }
    },
    retryNow,
    /** Forgets the member's waiting events (forget and opt-out); returns how many there were. */
    discard(member: MemberRef): number {
      const doomed = waiting.filter(
        (entry) =>
          entry.message.userId === member.userId &&
          entry.message.workspace.platform === member.platform &&
          entry.message.workspace.workspaceId === member.workspaceId,
      )
      for (const entry of doomed) remove(entry)
      return doomed.length
    },
    counts(workspace: WorkspaceRef): { waiting: number; dropped: number } {
      const label = workspaceKey(workspace)
      return { waiting: waiting.filter((entry) => workspaceKey(entry.message.workspace) === label).length, dropped: dropped.get(label) ?? 0 }
    },
    close() {
      closed = true
      clearTimeout(timer)
      if (waiting.length > 0) logger.warn('observe_retry_lost_at_shutdown', { messages: waiting.length })
      waiting.length = 0
    },
  }
}
