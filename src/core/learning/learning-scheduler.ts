// Runs learning jobs in the background, one member at a time per process and never two processes on the same
// member (a lease in the store). Failures are retried with backoff; after the last attempt the job is parked as a
// dead letter with its error until the member asks again. The queue in memory is only a cache of the store's state.
import { isBotError } from '../../bot-error.js'
import type { Logger } from '../../logger.js'
import type { HypothesisLearner } from './hypothesis-learner.js'
import { memberKey } from '../identity/keys.js'
import { isDue, type LearningStateStore } from '../records/learning-state-store.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { MemberRef } from '../types.js'

export const retryDelaysMs = [60_000, 5 * 60_000, 30 * 60_000]

export type LearningScheduler = ReturnType<typeof createLearningScheduler>

export function createLearningScheduler(dependencies: {
  learner: HypothesisLearner
  learning: LearningStateStore
  lock: KeyedLock
  logger: Logger
  clock: () => number
  settings: { minNewMessages: number; minIntervalMs: number }
  enabled: boolean
}) {
  const { learner, learning, lock, logger, clock } = dependencies
  const queue = new Map<string, MemberRef>()
  let running: Promise<void> | undefined
  let closed = false
  let timer: NodeJS.Timeout | undefined

  /** Runs one job now; errors are recorded on the member's learning state and rethrown. */
  const runJob = async (member: MemberRef) => {
    const result = await lock.tryRun(`learn:${memberKey(member)}`, async () => {
      try {
        const outcome = await learner.learn(member)
        await learning.update(member, (state) => ({
          ...state,
          lastLearnedAt: clock(),
          attempts: 0,
          nextAttemptAt: undefined,
          lastError: undefined,
          deadLetterAt: undefined,
        }))
        return { ok: true as const, outcome }
      } catch (error) {
        const code = isBotError(error) ? error.code : 'llm_failed'
        // Without a configured model there is nothing to retry until an operator configures one.
        const retryable = isBotError(error) ? error.isRetryable && code !== 'llm_not_configured' : true
        const state = await learning.update(member, (current) => {
          const attempts = current.attempts + 1
          const parked = !retryable || attempts > retryDelaysMs.length
          return {
            ...current,
            attempts,
            lastError: code,
            nextAttemptAt: parked ? undefined : clock() + retryDelaysMs[attempts - 1]!,
            deadLetterAt: parked ? clock() : undefined,
          }
        })
        // No model configured is a setup state the member is told about, not an operational failure.
        const log = code === 'llm_not_configured' ? logger.debug : logger.warn
        log('learning_failed', { code, attempts: state.attempts, parked: state.deadLetterAt !== undefined })
        return { ok: false as const, error }
      }
    }, { leaseMs: 10 * 60_000 })
    if (result && !result.ok) throw result.error
    return result?.ok ? result.outcome : undefined
  }

  const drain = async () => {
    while (queue.size && !closed) {
      const [key, member] = queue.entries().next().value as [string, MemberRef]
      queue.delete(key)
      await runJob(member).catch(() => {})
    }
    running = undefined
  }

  const enqueue = (member: MemberRef) => {
    if (!dependencies.enabled || closed) return
    queue.set(memberKey(member), member)
    running ??= drain()
  }

  /** Finds members due by the store's state (after a restart, or retries whose time has come). */
  const scan = async () => {
    for await (const { member, state } of learning.all()) {
      if (isDue(state, clock(), dependencies.settings)) enqueue(member)
    }
  }

  return {
    enqueue,
    runJob,
    /** Starts the periodic scan (every minute). */
    start() {
      if (!dependencies.enabled || timer) return
      void scan().catch((error) => logger.warn('learning_scan_failed', { error }))
      timer = setInterval(() => void scan().catch((error) => logger.warn('learning_scan_failed', { error })), 60_000)
      timer.unref()
    },
    /** Resolves when the queue is empty (tests and the console wait on it). */
    async idle() {
      while (running) await running
    },
    async close() {
      closed = true
      if (timer) clearInterval(timer)
      await running
    },
  }
}
