// One deadline per model call: combines the caller's abort signal with the call's own timeout, so every request,
// retry wait and stream read of that call shares a single bound. It never decides what a timeout means; callers do.

export type Deadline = {
  /** Aborts when the caller aborts or the time is up. Pass it to every request and wait of the call. */
  readonly signal: AbortSignal
  timedOut(): boolean
  callerAborted(): boolean
  /** The caller's abort reason, rethrown as is so cancellation is never mistaken for a model failure. */
  callerReason(): unknown
  remainingMs(): number
  dispose(): void
}

export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal, now: () => number = Date.now): Deadline {
  const controller = new AbortController()
  const endsAt = now() + timeoutMs
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error(`model call exceeded ${timeoutMs} ms`))
  }, timeoutMs)
  const onCallerAbort = () => controller.abort(callerSignal?.reason)
  if (callerSignal?.aborted) onCallerAbort()
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true })

  return {
    signal: controller.signal,
    timedOut: () => timedOut && !(callerSignal?.aborted ?? false),
    callerAborted: () => callerSignal?.aborted ?? false,
    callerReason: () => callerSignal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'),
    remainingMs: () => Math.max(0, endsAt - now()),
    dispose() {
      clearTimeout(timer)
      callerSignal?.removeEventListener('abort', onCallerAbort)
    },
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (the caller then asks the deadline why). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
