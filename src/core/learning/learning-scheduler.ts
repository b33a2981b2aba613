// Runs learning jobs in the background, one member at a time, never two processes on the same member. On a shared
// store the jobs are on the store's job queue (one job per member, retries with backoff, dead letters), and run
// wherever a process consumes them (inline, or `npm run worker`); on SQLite a queue in this process's memory,
// a cache of the store's state. Either way the job holds the member's learning lock, renewed while it runs.
import { z } from 'zod'
import { isBotError } from '../../bot-error.js'
import type { Logger } from '../../logger.js'
import type { JobAttempt, JobQueue } from '../../store/job-queue.js'
import type { HypothesisLearner } from './hypothesis-learner.js'
import { memberKey } from '../identity/keys.js'
import { memberRefSchema } from '../identity/member-ref.js'
import { isDue, type LearningStateStore } from '../records/learning-state-store.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { MemberRef } from '../types.js'

export const retryDelaysMs = [60_000, 5 * 60_000, 30 * 60_000]

/** The member, and when the job was asked for (jobs of earlier versions have no time and always run). */
const jobDataSchema = memberRefSchema.extend({ requestedAt: z.number().optional() })
export type LearningJob = z.output<typeof jobDataSchema>

export type LearningScheduler = ReturnType<typeof createLearningScheduler>

export function createLearningScheduler(dependencies: {
  learner: HypothesisLearner
  learning: LearningStateStore
  lock: KeyedLock
  logger: Logger
  clock: () => number
  settings: { minNewMessages: number; minIntervalMs: number; leaseMs?: number }
  /** Enqueue members as they become due, and scan for due members. */
  enabled: boolean
  /** The store's job queue (shared stores); without it jobs run in this process. */
  queue?: JobQueue<LearningJob>
  /** Run queued jobs in this process (inline mode, or a worker); false leaves them to workers. */
  consume?: boolean
}) {
  const { learner, learning, lock, logger, clock, queue } = dependencies
  const leaseMs = dependencies.settings.leaseMs ?? 30_000
  const local = new Map<string, MemberRef>()
  let running: Promise<void> | undefined
  const adding = new Set<Promise<unknown>>()
  let closed = false
  let timer: NodeJS.Timeout | undefined

  /** One run under the member's learning lock; `busy` when another process holds it. Errors are recorded and rethrown. */
  const attemptJob = async (member: MemberRef, attempt?: JobAttempt) => {
    const result = await lock.tryRun(`learn:${memberKey(member)}`, async (held) => {
      try {
        const outcome = await learner.learn(member, held)
        await learning.update(member, (state) => ({ ...state, lastLearnedAt: clock(), attempts: 0, nextAttemptAt: undefined, lastError: undefined, deadLetterAt: undefined }))
        return { ok: true as const, outcome }
      } catch (error) {
        const code = isBotError(error) ? error.code : 'llm_failed'
        // Without a configured model there is nothing to retry until an operator configures one.
        const retryable = isBotError(error) ? error.isRetryable && code !== 'llm_not_configured' : true
        const state = await learning.update(member, (current) => {
          const attempts = current.attempts + 1
          const parked = !retryable || (attempt ? attempt.finalAttempt : attempts > retryDelaysMs.length)
          return {
            ...current,
            attempts,
            lastError: code,
            nextAttemptAt: parked ? undefined : clock() + retryDelaysMs[Math.min(attempts, retryDelaysMs.length) - 1]!,
            deadLetterAt: parked ? clock() : undefined,
          }
        })
        // No model configured is a setup state the member is told about, not an operational failure.
        const log = code === 'llm_not_configured' ? logger.debug : logger.warn
        log('learning_failed', { code, attempts: state.attempts, parked: state.deadLetterAt !== undefined })
        return { ok: false as const, error }
      }
    }, { leaseMs })
    if (!result) return { busy: true as const }
    if (!result.ok) throw result.error
    return { busy: false as const, outcome: result.outcome }
  }

  /** Runs one job now (a member's own request): a dead letter of theirs is cleared first. */
  const runJob = async (member: MemberRef) => {
    await queue?.remove(memberKey(member))
    const result = await attemptJob(member)
    return result.busy ? undefined : result.outcome
  }

  /** The member whose job runs now, and whether they were enqueued again meanwhile. */
  let current: { key: string; again: boolean } | undefined
  const drain = async () => {
    while (local.size && !closed) {
      const [key, member] = local.entries().next().value as [string, MemberRef]
      local.delete(key)
      current = { key, again: false }
      await attemptJob(member).catch(() => {})
      // Asked for again while running (a due signal, the scan): run again only if still due after this run.
      if (current.again && !closed && isDue(await learning.get(member).catch(() => undefined) ?? { newMessages: 0, attempts: 0 }, clock(), dependencies.settings)) local.set(key, member)
      current = undefined
    }
    running = undefined
  }

  const enqueue = (member: MemberRef) => {
    if (!dependencies.enabled || closed) return
    if (queue) {
      const added = queue.add(memberKey(member), { platform: member.platform, workspaceId: member.workspaceId, userId: member.userId, requestedAt: clock() }).catch((error) => logger.warn('learning_enqueue_failed', { error }))
      adding.add(added)
      void added.finally(() => adding.delete(added))
      return
    }
    const key = memberKey(member)
    if (current?.key === key && !local.has(key)) current.again = true
    else local.set(key, member)
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
    /** Drops a member's queued or dead job (forget, opt-out): the queue keeps nothing of them. */
    async forget(member: MemberRef) {
      local.delete(memberKey(member))
      await queue?.remove(memberKey(member))
    },
    /** Starts consuming queued jobs (when this process does) and the periodic scan (every minute). */
    start() {
      if (queue && dependencies.consume && !closed) {
        queue.work(async (data, attempt) => {
          const job = jobDataSchema.safeParse(data)
          if (!job.success) return 'done'
          const { requestedAt, ...member } = job.data
          // Learned since it was asked for, and not due again: a job handed over after its run finished (a worker
          // that stalled past its lease) or asked for twice. Running it would ask the model for nothing new.
          if (requestedAt !== undefined) {
            const state = await learning.get(member)
            if (state.lastLearnedAt !== undefined && state.lastLearnedAt >= requestedAt && !isDue(state, clock(), dependencies.settings)) {
              logger.debug('learning_job_skipped', { attempt: attempt.attempt, reason: 'learned_since_asked' })
              return 'done'
            }
          }
          const started = clock()
          logger.debug('learning_job_started', { attempt: attempt.attempt })
          const result = await attemptJob(member as MemberRef, attempt)
          logger.debug('learning_job_finished', { attempt: attempt.attempt, outcome: result.busy ? 'busy' : 'done', ms: clock() - started })
          return result.busy ? 'busy' : 'done'
        }, { concurrency: 1 })
      }
      if (!dependencies.enabled || timer) return
      void scan().catch((error) => logger.warn('learning_scan_failed', { error }))
      timer = setInterval(() => void scan().catch((error) => logger.warn('learning_scan_failed', { error })), 60_000)
      timer.unref()
    },
    /** Resolves when this process has nothing left to learn or enqueue (not waiting on other processes' jobs). */
    async idleHere() {
      while (running) await running
      await Promise.all([...adding])
    },
    /** Resolves when nothing is left to learn: this process's queue, or the shared queue it consumes (tests, the console). */
    async idle() {
      while (running) await running
      await Promise.all([...adding])
      if (!queue || !dependencies.consume) return
      for (;;) {
        const counts = await queue.counts()
        if (counts.waiting + counts.running + counts.delayed === 0) return
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    },
    async close() {
      closed = true
      if (timer) clearInterval(timer)
      await running
      await Promise.all([...adding])
      await queue?.close()
    },
  }
}
