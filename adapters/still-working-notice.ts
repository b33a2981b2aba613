// One timer for every platform's slow replies: when the core has not answered within `afterMs`, show "Still working
// on it…" once in the private reply the platform already acknowledged; the result (or the error) then replaces it.
// It never delays, cancels or changes the work it watches, and it decides nothing about what the member sees next.

export const stillWorkingText = 'Still working on it…'

/** About when a member starts to wonder; with the default LLM_TIMEOUT_MS a hanging call lasts 60 s. */
export const defaultStillWorkingAfterMs = 8_000

export type StillWorkingNotice = {
  afterMs: number
  /** Shows the notice (edit the deferred reply, post to the response URL). A failure here is only reported. */
  show(): Promise<unknown>
  onShowFailed?(error: unknown): void
}

/**
 * Runs `work`; if it is still running after `afterMs`, calls `show` once. Settles as `work` does, but only after a
 * notice in flight has gone out, so the caller's final reply always lands after (and over) the notice.
 */
export async function withStillWorkingNotice<T>(notice: StillWorkingNotice, work: () => Promise<T>): Promise<T> {
  let showing: Promise<void> | undefined
  const timer = setTimeout(() => {
    showing = notice.show().then(
      () => undefined,
      (error: unknown) => notice.onShowFailed?.(error),
    )
  }, notice.afterMs)
  try {
    return await work()
  } finally {
    clearTimeout(timer)
    await showing
  }
}
