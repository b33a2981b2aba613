// Fenced locks over an engine's primitives: a holder's lease is renewed every third of it while the holder works, and
// a holder that loses it (paused past its lease, store unreachable) is told at once, never left writing as if it held it.
import { BotError } from '../bot-error.js'
import type { FencedLocks, LockHandle, LockPrimitives } from './coordination.js'

export function createFencedLocks(primitives: LockPrimitives, holder: string): FencedLocks {
  return {
    async tryAcquire(key, leaseMs) {
      const token = await primitives.acquire(key, holder, leaseMs)
      if (token === undefined) return undefined
      const lost = new AbortController()
      let released = false
      const loseLock = () => {
        if (!lost.signal.aborted) lost.abort(new BotError('lock_lost', 'Another process took over this work; nothing more was written.'))
      }
      const renew = async () => {
        if (released || lost.signal.aborted) return
        const extended = await primitives.extend(key, holder, token, leaseMs).catch(() => false)
        if (!extended) loseLock()
      }
      const timer = setInterval(() => void renew(), Math.max(10, Math.floor(leaseMs / 3)))
      timer.unref()
      const handle: LockHandle = {
        key,
        token,
        signal: lost.signal,
        async assertHeld() {
          if (!lost.signal.aborted && !(await primitives.holds(key, holder, token))) loseLock()
          if (lost.signal.aborted) throw lost.signal.reason as BotError
        },
        async release() {
          released = true
          clearInterval(timer)
          if (lost.signal.aborted) return false
          return primitives.release(key, holder, token)
        },
      }
      return handle
    },
  }
}

/** A holder id unique to this process and store connection. */
export function newHolderId(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`
}
