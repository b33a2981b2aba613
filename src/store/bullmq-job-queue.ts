// The job queue on BullMQ, over the store's own engine: Redis (through the node-redis client keyv already uses) or
// PostgreSQL (BullMQ's PostgreSQL backend: FOR UPDATE SKIP LOCKED and LISTEN/NOTIFY, in a schema of its own).
// Job data and dead letters carry ids and error codes only, never member text.
import { DelayedError, Queue, UnrecoverableError, Worker, createPostgresBackend, type Job } from 'bullmq'
import { createClient, type RedisClientType } from '@keyv/redis'
import { isBotError } from '../bot-error.js'
import type { DeadLetter, JobQueue, JobQueueSettings } from './job-queue.js'

/** Redis keys under this prefix, PostgreSQL tables in this schema: apart from the records, and from other apps. */
export const jobsNamespace = 'hyperalign_jobs'

// BullMQ types each constructor per backend; this module picks the backend at run time, so it uses one loose signature.
type LooseQueue<T> = new (name: string, options: unknown, backend: unknown) => Queue<T>
type LooseWorker<T> = new (name: string, processor: (job: Job<T>, token?: string) => Promise<void>, options: unknown, backend: unknown) => Worker<T>

type Engine = { kind: 'redis'; url: string } | { kind: 'postgres'; url: string }

export function createBullmqJobQueue<T extends object>(engine: Engine, name: string, settings: JobQueueSettings): JobQueue<T> {
  const redisClients: RedisClientType[] = []
  const redisConnection = () => {
    const client = createClient({ url: engine.url, socket: { connectTimeout: 5_000 } }) as RedisClientType
    client.on('error', () => {}) // reconnects on its own; operations report their own failures
    redisClients.push(client)
    return client
  }
  // BullMQ's constructors take the engine either as a Redis connection or as a backend factory; one place decides.
  const engineOptions = () =>
    engine.kind === 'redis'
      ? [{ connection: redisConnection(), prefix: jobsNamespace }, undefined]
      : [{ connection: { connectionString: engine.url, schema: jobsNamespace, migrate: true, max: 4 } }, createPostgresBackend]
  const [queueOptions, queueBackend] = engineOptions()
  const queue = new (Queue as unknown as LooseQueue<T>)(name, queueOptions, queueBackend)
  let worker: Worker<T> | undefined
  const jobOptions = {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: true,
    removeOnFail: false,
  }
  // BullMQ ids may not contain ':'; the core's keys use it as a separator and URI-encode each part, so '/' is free.
  const jobId = (id: string) => id.replaceAll(':', '/')
  const fromJobId = (id: string) => id.replaceAll('/', ':')

  return {
    async add(id, data) {
      const existing = await queue.getJob(jobId(id))
      if (existing) return false
      await queue.add(name as never, data as never, { ...jobOptions, jobId: jobId(id) })
      return true
    },
    work(handler, options) {
      if (worker) return
      const processor = async (job: Job<T>, token?: string) => {
        const attempt = job.attemptsMade + 1
        let outcome
        try {
          outcome = await handler(job.data, { id: fromJobId(job.id ?? ''), attempt, finalAttempt: attempt >= settings.attempts })
        } catch (error) {
          const code = isBotError(error) ? error.code : 'failed'
          if (isBotError(error) && !error.isRetryable) throw new UnrecoverableError(code)
          throw new Error(code)
        }
        if (outcome === 'busy') {
          await job.moveToDelayed(Date.now() + settings.busyDelayMs, token)
          throw new DelayedError()
        }
      }
      const [workerOptions, workerBackend] = engineOptions()
      worker = new (Worker as unknown as LooseWorker<T>)(
        name,
        processor,
        { ...(workerOptions as object), concurrency: options.concurrency, lockDuration: settings.leaseMs, stalledInterval: settings.leaseMs, maxStalledCount: 3 },
        workerBackend,
      )
      worker.on('error', () => {}) // connection trouble is retried by BullMQ; a job's own failure is recorded on the job
    },
    async deadLetters(idPrefix, limit = 500) {
      const failed = await queue.getFailed(0, Math.max(0, limit * 4))
      const prefix = jobId(idPrefix)
      return failed
        .filter((job) => job.id?.startsWith(prefix))
        .slice(0, limit)
        .map((job): DeadLetter => ({ id: fromJobId(job.id ?? ''), error: job.failedReason ?? 'failed', attempts: job.attemptsMade, failedAt: job.finishedOn ?? job.timestamp }))
    },
    async counts() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
      return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), running: counts.active ?? 0, delayed: counts.delayed ?? 0, dead: counts.failed ?? 0 }
    },
    async remove(id) {
      // A running job is locked by its worker and cannot be removed; it ends on its own.
      await queue.remove(jobId(id)).catch(() => {})
    },
    async clear() {
      await queue.obliterate({ force: true })
    },
    async close() {
      await worker?.close()
      await queue.close()
      for (const client of redisClients) if (client.isOpen) await client.close().catch(() => {})
    },
  }
}
