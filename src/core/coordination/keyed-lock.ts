// Serialises work on one key (a member's history, a member's learning job). In-process with a promise chain; when
// the store is shared by several processes, also with a lease in the store so two processes never interleave.
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import type { Store } from '../../store/store.js'

const leaseSchema = z.object({ owner: z.string(), until: z.number() })

export type KeyedLock = {
  run<T>(key: string, work: () => Promise<T>, options?: { leaseMs?: number; waitMs?: number }): Promise<T>
  /** Take the lease only if free; resolves undefined without running when another holder has it. */
  tryRun<T>(key: string, work: () => Promise<T>, options?: { leaseMs?: number }): Promise<T | undefined>
}

export function createKeyedLock(store: Store): KeyedLock {
  const tails = new Map<string, Promise<unknown>>()
  const leases = store.collection('locks', leaseSchema)
  const owner = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`

  const inProcess = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve()
    const current = previous.catch(() => {}).then(work)
    tails.set(key, current)
    try {
      return await current
    } finally {
      if (tails.get(key) === current) tails.delete(key)
    }
  }

  const acquire = (key: string, leaseMs: number) => leases.setIfAbsent(key, { owner, until: Date.now() + leaseMs }, leaseMs)

  return {
    run(key, work, options = {}) {
      const leaseMs = options.leaseMs ?? 30_000
      const waitMs = options.waitMs ?? 30_000
      if (!store.shared) return inProcess(key, work)
      return inProcess(key, async () => {
        const deadline = Date.now() + waitMs
        let delay = 20
        while (!(await acquire(key, leaseMs))) {
          if (Date.now() > deadline) throw new BotError('store_unavailable', 'Another process is still working on this; try again in a moment.')
          await new Promise((resolve) => setTimeout(resolve, delay))
          delay = Math.min(delay * 2, 500)
        }
        try {
          return await work()
        } finally {
          await leases.delete(key).catch(() => {})
        }
      })
    },
    async tryRun(key, work, options = {}) {
      if (tails.has(key)) return undefined
      const leaseMs = options.leaseMs ?? 10 * 60_000
      return inProcess(key, async () => {
        if (!(await acquire(key, leaseMs))) return undefined
        try {
          return await work()
        } finally {
          await leases.delete(key).catch(() => {})
        }
      })
    },
  }
}
