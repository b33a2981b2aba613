// A fixed set of slots (the context sequences of one loaded model) handed out first come, first served, with a bounded
// waiting line. A caller may rank the free slots (the embedded model prefers one that already holds its prompt's start);
// waiters still get the next slot released, so ranking never reorders the line. It knows nothing about llama.cpp, so it
// is tested on its own; it never creates or frees the slots.
import { BotError } from '../bot-error.js'

export type SequencePool<T> = {
  /**
   * Waits for a free slot; rejects when the line is full, the pool is closed or `signal` aborts while waiting. When
   * several are free, the one `rank` scores highest is taken (the first of equals).
   */
  acquire(signal?: AbortSignal, rank?: (slot: T) => number): Promise<T>
  release(slot: T): void
  /** Rejects everyone still waiting; slots already handed out stay with their holders. */
  close(): void
  readonly waiting: number
  readonly inUse: number
}

type Waiter<T> = { resolve: (slot: T) => void; reject: (error: unknown) => void; signal?: AbortSignal; onAbort: () => void }

export function createSequencePool<T>(slots: readonly T[], options: { maxWaiting: number }): SequencePool<T> {
  if (slots.length === 0) throw new RangeError('a sequence pool needs at least one slot')
  const free = [...slots]
  const waiters: Waiter<T>[] = []
  let closed = false

  function acquire(signal?: AbortSignal, rank?: (slot: T) => number): Promise<T> {
    if (closed) return Promise.reject(closedError())
    if (signal?.aborted) return Promise.reject(abortedError(signal))
    if (free.length > 0) return Promise.resolve(free.splice(bestIndex(free, rank), 1)[0]!)
    if (waiters.length >= options.maxWaiting) {
      return Promise.reject(
        new BotError('llm_rate_limited', `The local model is busy (${waiters.length} requests already waiting).`, {
          retryAfterSeconds: 30,
          userMessage: 'The bot is busy with other requests right now. Try again in a minute.',
        }),
      )
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = waiters.indexOf(waiter)
          if (index !== -1) waiters.splice(index, 1)
          reject(abortedError(signal!))
        },
      }
      waiters.push(waiter)
      signal?.addEventListener('abort', waiter.onAbort, { once: true })
    })
  }

  function release(slot: T) {
    const waiter = waiters.shift()
    if (!waiter) {
      free.push(slot)
      return
    }
    waiter.signal?.removeEventListener('abort', waiter.onAbort)
    waiter.resolve(slot)
  }

  function close() {
    closed = true
    for (const waiter of waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort)
      waiter.reject(closedError())
    }
  }

  return {
    acquire,
    release,
    close,
    get waiting() {
      return waiters.length
    },
    get inUse() {
      return slots.length - free.length
    },
  }
}

function bestIndex<T>(slots: readonly T[], rank?: (slot: T) => number): number {
  if (!rank) return 0
  let best = 0
  let bestScore = rank(slots[0]!)
  for (let index = 1; index < slots.length; index++) {
    const score = rank(slots[index]!)
    if (score > bestScore) [best, bestScore] = [index, score]
  }
  return best
}

function closedError(): BotError {
  return new BotError('llm_failed', 'The local model was closed.', { isRetryable: false })
}

export function abortedError(signal: AbortSignal): BotError {
  return new BotError('llm_timeout', 'The local model call was cancelled before it finished.', {
    cause: signal.reason,
    userMessage: 'The model took too long to answer. Try again.',
  })
}
