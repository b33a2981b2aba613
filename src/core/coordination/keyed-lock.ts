// Serialises work on one key (a member's history, a member's learning job). In-process with a promise chain; when
// the store is shared by several processes, also with the store's fenced lock: its lease is renewed while the work
// runs, and the work is handed the lock so a long job can check it still holds it before it writes.
import { BotError } from '../../bot-error.js'
import type { Store } from '../../store/store.js'

/** The lock as the work sees it. On an unshared store nobody else can take it, so it never aborts. */
export type HeldLock = { signal: AbortSignal; assertHeld(): Promise<void> }

export type KeyedLock = {
  run<T>(key: string, work: (held: HeldLock) => Promise<T>, options?: { leaseMs?: number; waitMs?: number }): Promise<T>
  /** Take the lock only if free; resolves undefined without running when another holder has it. */
  tryRun<T>(key: string, work: (held: HeldLock) => Promise<T>, options?: { leaseMs?: number }): Promise<T | undefined>
}

const unshared: HeldLock = { signal: new AbortController().signal, assertHeld: async () => {} }

export function createKeyedLock(store: Store): KeyedLock {
  const tails = new Map<string, Promise<unknown>>()

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

  const holding = async <T>(handle: NonNullable<Awaited<ReturnType<Store['locks']['tryAcquire']>>>, work: (held: HeldLock) => Promise<T>) => {
    try {
      return await work(handle)
    } finally {
      await handle.release().catch(() => false)
    }
  }

  return {
    run(key, work, options = {}) {
      const leaseMs = options.leaseMs ?? 30_000
      const waitMs = options.waitMs ?? 30_000
      if (!store.shared) return inProcess(key, () => work(unshared))
      return inProcess(key, async () => {
        const deadline = Date.now() + waitMs
        let delay = 20
        let handle = await store.locks.tryAcquire(key, leaseMs)
        while (!handle) {
          if (Date.now() > deadline) throw new BotError('store_unavailable', 'Another process is still working on this; try again in a moment.')
          await new Promise((resolve) => setTimeout(resolve, delay))
          delay = Math.min(delay * 2, 500)
          handle = await store.locks.tryAcquire(key, leaseMs)
        }
        return holding(handle, work)
      })
    },
    async tryRun(key, work, options = {}) {
      if (tails.has(key)) return undefined
      const leaseMs = options.leaseMs ?? 30_000
      if (!store.shared) return inProcess(key, () => work(unshared))
      return inProcess(key, async () => {
        const handle = await store.locks.tryAcquire(key, leaseMs)
        return handle ? holding(handle, work) : undefined
      })
    },
  }
}
