// Startup errors of the store for the operator: the setting, the target without its password, and the cause in a
// few words (refused, no such database, folder not writable, not an SQLite file, no answer in time).
import { BotError } from '../bot-error.js'

/** The store URL as it may be shown: password replaced, query string (which may carry secrets) dropped. */
export function redactStoreUrl(url: string): string {
  if (url.startsWith('sqlite://')) return url
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    parsed.search = ''
    return parsed.toString()
  } catch {
    return (url.match(/^[a-z]+:\/\//)?.[0] ?? '') + '…'
  }
}

export class StoreTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s`)
    this.name = 'StoreTimeoutError'
  }
}

export function storeStartupError(setting: string, url: string, error: unknown): BotError {
  const cause = withoutSecrets(describeCause(error), url)
  return new BotError('store_unavailable', `The store at ${setting}=${redactStoreUrl(url)} could not be opened: ${cause}.`, { cause: error })
}

type ErrorLike = { code?: unknown; message?: unknown; errors?: unknown[]; address?: unknown; port?: unknown; hostname?: unknown }

const socketCauses: Record<string, (where: string) => string> = {
  ECONNREFUSED: (where) => `nothing is listening on ${where}`,
  ENOTFOUND: (where) => `the host name ${where} does not resolve`,
  EAI_AGAIN: (where) => `the host name ${where} does not resolve right now`,
  ETIMEDOUT: (where) => `no connection to ${where} in time`,
  EHOSTUNREACH: (where) => `${where} is unreachable`,
  ECONNRESET: (where) => `${where} closed the connection`,
}

const sqliteCauses: Record<string, string> = {
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_CORRUPT: 'the SQLite file is damaged',
  SQLITE_CANTOPEN: 'SQLite cannot open the file',
  SQLITE_READONLY: 'the SQLite file is read-only',
  SQLITE_PERM: 'SQLite may not write the file',
}

function describeCause(error: unknown): string {
  if (error instanceof StoreTimeoutError) return error.message
  const failure = (error ?? {}) as ErrorLike
  // Node reports a refused "localhost" (tried as ::1 and 127.0.0.1) as an AggregateError with an empty message.
  if (Array.isArray(failure.errors) && failure.errors.length > 0 && !failure.message) return describeCause(failure.errors[0])
  const code = typeof failure.code === 'string' ? failure.code : undefined
  const message = typeof failure.message === 'string' ? failure.message.replace(/^SQLITE_[A-Z]+: /, '') : String(error)
  if (code && socketCauses[code]) {
    const where = failure.address ? `${String(failure.address)}:${String(failure.port)}` : failure.hostname ? String(failure.hostname) : 'the server'
    return `${socketCauses[code](where)} (${code})`
  }
  if (code && sqliteCauses[code]) return `${sqliteCauses[code]} (${code})`
  if (code && !message.includes(code)) return `${message} (${code})`
  return message
}

function withoutSecrets(text: string, url: string): string {
  try {
    const { password } = new URL(url)
    const decoded = password ? decodeURIComponent(password) : ''
    return decoded ? text.split(decoded).join('***').split(password).join('***') : text
  } catch {
    return text
  }
}
