// Runs one model request with our own retry policy (the SDK's hidden retries are switched off): 429, 5xx and dropped
// connections are retried with backoff or the server's retry-after, within the call's deadline. Never retries a 4xx.
import type { Logger } from '../logger.js'
import { classifyFailure, timeoutFailure } from './openai-errors.js'
import { sleep, type Deadline } from './openai-deadline.js'

export type RetryPolicy = {
  maxRetries: number
  /** First backoff step; doubles per retry, with jitter, up to `maxDelayMs`. */
  baseDelayMs: number
  maxDelayMs: number
  /** A server asking to wait longer than this fails the call with `retryAfterSeconds` instead of blocking a member. */
  maxRetryAfterMs: number
}

export async function callWithRetries<T>(
  request: (signal: AbortSignal) => Promise<T>,
  options: { deadline: Deadline; policy: RetryPolicy; timeoutMs: number; host: string; logger: Logger },
): Promise<T> {
  const { deadline, policy, logger } = options
  for (let attempt = 0; ; attempt++) {
    try {
      return await request(deadline.signal)
    } catch (error) {
      if (deadline.callerAborted()) throw deadline.callerReason()
      if (deadline.timedOut()) throw timeoutFailure(options.timeoutMs, error).error
      const failure = classifyFailure(error, { timeoutMs: options.timeoutMs, maxRetryAfterMs: policy.maxRetryAfterMs, host: options.host })
      if (!failure.retryNow || attempt >= policy.maxRetries) throw failure.error
      const waitMs = failure.retryAfterMs ?? backoffMs(attempt, policy)
      // Waiting past the deadline would only turn a clear rate-limit error into a vaguer timeout.
      if (waitMs >= deadline.remainingMs()) throw failure.error
      logger.warn('llm_retry', { code: failure.error.code, reason: failure.error.message, attempt: attempt + 1, waitMs: Math.round(waitMs) })
      try {
        await sleep(waitMs, deadline.signal)
      } catch {
        if (deadline.callerAborted()) throw deadline.callerReason()
        throw timeoutFailure(options.timeoutMs).error
      }
    }
  }
}

function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  // Half fixed, half random: spreads out many workers retrying against the same server.
  return ceiling / 2 + Math.random() * (ceiling / 2)
}
