// A queue of background jobs shared by every process on a Redis or PostgreSQL store. One job per id at a time
// (a member's learning is keyed by the member), retries with exponential backoff, dead letters kept with their error.
// Interface only: bullmq-job-queue.ts runs it on BullMQ; the embedded SQLite store has no queue (learning stays in-process).

export type JobAttempt = {
  id: string
  /** 1 on the first run, counting retries (a run moved back as busy does not count). */
  attempt: number
  /** True when a failure now would make the job a dead letter. */
  finalAttempt: boolean
}

/** What a handler may return: done, or another holder is on it right now (try again later, without using an attempt). */
export type JobOutcome = 'done' | 'busy'

export type JobQueueSettings = {
  /** Runs per job before it becomes a dead letter. */
  attempts: number
  /** First retry delay; each further retry waits twice as long. */
  backoffMs: number
  /** How long a running job is held without renewal before another worker may take it (a crashed worker). */
  leaseMs: number
  /** Delay before a job whose subject was busy runs again. */
  busyDelayMs: number
}

export type DeadLetter = { id: string; error: string; attempts: number; failedAt: number }

export type JobCounts = { waiting: number; running: number; delayed: number; dead: number }

export interface JobQueue<T> {
  /** Adds a job unless one with this id is already waiting, running, scheduled for a retry or dead; true when added. */
  add(id: string, data: T): Promise<boolean>
  /** Starts consuming jobs in this process. A handler that throws a non-retryable BotError dead-letters at once. */
  work(handler: (data: T, attempt: JobAttempt) => Promise<JobOutcome>, options: { concurrency: number }): void
  /** Dead letters whose id starts with `idPrefix` (at most `limit`). */
  deadLetters(idPrefix: string, limit?: number): Promise<DeadLetter[]>
  counts(): Promise<JobCounts>
  /** Drops the job with this id unless it is running (forget, or a retry the member asked for). */
  remove(id: string): Promise<void>
  /** Deletes every job of this queue, dead letters included (tests, and an operator starting over). */
  clear(): Promise<void>
  /** Stops consuming (waiting for running jobs to end) and closes connections. */
  close(): Promise<void>
}
