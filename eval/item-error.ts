// Turns any failure of one evaluation item into a short, loggable record (error code and the error's own message,
// which never carries member text), so one bad item is reported in its row and the run goes on.
import { isBotError } from '../src/bot-error.js'

export type ItemError = { code: string; message: string }

export function describeError(error: unknown): ItemError {
  if (isBotError(error)) return { code: error.code, message: error.message }
  if (error instanceof Error) return { code: 'unexpected_error', message: error.message }
  return { code: 'unexpected_error', message: String(error) }
}

export type ErrorSummary = { code: string; count: number; example: string }

/** Errors grouped by code, most frequent first, each with one example message. */
export function summarizeErrors(errors: (ItemError | undefined)[]): ErrorSummary[] {
  const byCode = new Map<string, ErrorSummary>()
  for (const error of errors) {
    if (!error) continue
    const entry = byCode.get(error.code) ?? { code: error.code, count: 0, example: error.message }
    entry.count += 1
    byCode.set(error.code, entry)
  }
  return [...byCode.values()].sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1))
}
