// Structured logs, one line per event on stderr: JSON for servers (log collectors parse it), or a short text line
// for the interactive console, where JSON would drown the conversation. Log codes, counts and ids; never member
// text or tokens. An error is logged with its stack and its chain of causes (JSON only; the console line stays short).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export type LogFormat = 'json' | 'text'

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  format: LogFormat = 'json',
): Logger {
  const emit = (at: LogLevel) => (event: string, fields: LogFields = {}) => {
    if (rank[at] < rank[level]) return
    const serialized = serializeErrors(fields)
    write(format === 'json' ? JSON.stringify({ time: new Date().toISOString(), level: at, event, ...serialized }) : textLine(at, event, serialized))
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** `[warn] safety_check_failed stage=request code=input_too_large`: the event and its flat fields. */
function textLine(level: LogLevel, event: string, fields: LogFields): string {
  const parts = Object.entries(fields).map(([key, value]) => {
    if (value && typeof value === 'object') {
      const error = value as { code?: unknown; message?: unknown }
      value = error.code ?? error.message ?? JSON.stringify(value)
    }
    const text = String(value)
    return `${key}=${/\s/.test(text) ? JSON.stringify(text) : text}`
  })
  return [`[${level}]`, event, ...parts].join(' ')
}

function serializeErrors(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? serializeError(value, new Set()) : value
  return out
}

/** How many causes deep a logged error goes; past that the chain is cut. */
const maxCauseDepth = 8

/**
 * An error as the operator needs it: name, message, code, stack and the chain of causes. Never `userMessage` (that
 * is for the member's screen); error messages are written never to carry member text, and so are their stacks.
 */
function serializeError(error: Error, seen: Set<Error>): LogFields {
  seen.add(error)
  const cause: unknown = error.cause
  const serialized: LogFields = { name: error.name, message: error.message, code: (error as { code?: unknown }).code, stack: error.stack }
  if (cause === undefined) return serialized
  if (!(cause instanceof Error)) return { ...serialized, cause: typeof cause === 'string' || typeof cause === 'number' ? cause : `(${typeof cause})` }
  if (seen.has(cause)) return { ...serialized, cause: '(seen above)' }
  return { ...serialized, cause: seen.size >= maxCauseDepth ? '(cut)' : serializeError(cause, seen) }
}
