// The request check and the compose in one round trip: composing has no side effect and its text is private until
// the output check, so it starts with the request check instead of after it. The verdict then decides what the
// composed text is worth: refuse discards it unseen, safe_complete composes again with the spec's guidance, comply
// keeps it. With `overlap` off (COMPOSE_DURING_CHECK=off) the compose waits for the verdict, as a budget that should
// not pay for composing refused requests may want.
import type { SafeCompletion, Verdict } from '../types.js'
import type { GateOutcome } from '../safety/safety-gate.js'

export type CheckedCompose<T> = { allowed: false; verdict: Verdict; message: string } | { allowed: true; verdict: Verdict; composed: T }

export async function checkWhileComposing<T>(options: {
  check: () => Promise<GateOutcome>
  compose: (safeCompletion: SafeCompletion | undefined) => Promise<T>
  safeCompletionFor: (verdict: Verdict) => SafeCompletion | undefined
  overlap: boolean
}): Promise<CheckedCompose<T>> {
  // The check first in line, so a model that queues calls (the embedded one) decides before it composes.
  const checking = options.check()
  const early = options.overlap ? options.compose(undefined) : undefined
  // Handled from the start, so a compose that fails while the check runs is not an unhandled rejection.
  early?.catch(() => undefined)
  // Waited for on every path before returning: nothing of a discarded compose is still in flight (or unaccounted
  // for in the budget) when the member gets the answer. Its own failure matters only if its text is used.
  const discard = () => early?.then(() => undefined, () => undefined)
  let before: GateOutcome
  try {
    before = await checking
  } catch (error) {
    await discard()
    throw error
  }
  if (!before.allowed) {
    await discard()
    return before
  }
  const safeCompletion = options.safeCompletionFor(before.verdict)
  if (safeCompletion || !early) {
    await discard()
    return { allowed: true, verdict: before.verdict, composed: await options.compose(safeCompletion) }
  }
  return { allowed: true, verdict: before.verdict, composed: await early }
}
