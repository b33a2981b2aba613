// Structured logs as one JSON line per event on stderr. Log codes, counts and ids; never member text or tokens.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const emit = (at: LogLevel) => (event: string, fields: LogFields = {}) => {
    if (rank[at] < rank[level]) return
    write(JSON.stringify({ time: new Date().toISOString(), level: at, event, ...serializeErrors(fields) }))
  }
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

function serializeErrors(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, code: (value as { code?: unknown }).code } : value
  }
  return out
}
