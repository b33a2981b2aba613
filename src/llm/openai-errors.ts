// Translates what the openai SDK and the HTTP layer throw into BotError codes, and says whether to retry and when.
// Messages name status codes, error codes and settings, never the prompt or the model's text.
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import { BotError } from '../bot-error.js'

export type Failure = {
  error: BotError
  /** Retry inside this call (the loop still checks attempts left and time left). */
  retryNow: boolean
  /** How long the server asked us to wait, when it said so. */
  retryAfterMs?: number
}

const tryAgainSoon = 'The language model is not answering right now. Try again in a minute.'

/** Raised for a 200 reply that is not an OpenAI-compatible chat completion (wrong URL, proxy page, cut-off body). */
export class NotAChatCompletionError extends Error {
  constructor(detail: string) {
    super(`reply is not an OpenAI-compatible chat completion: ${detail}`)
    this.name = 'NotAChatCompletionError'
  }
}

export function classifyFailure(error: unknown, options: { timeoutMs: number; maxRetryAfterMs: number; host: string }): Failure {
  if (error instanceof BotError) return { error, retryNow: false }
  if (error instanceof APIConnectionTimeoutError) return timeoutFailure(options.timeoutMs, error)
  if (error instanceof APIError && typeof error.status === 'number') return classifyStatus(error, error.status, options)
  if (error instanceof APIConnectionError || isConnectionDrop(error)) {
    return {
      error: new BotError('llm_failed', `could not reach the model server at ${options.host}`, {
        cause: error,
        isRetryable: true,
        userMessage: tryAgainSoon,
      }),
      retryNow: true,
    }
  }
  if (error instanceof NotAChatCompletionError || error instanceof SyntaxError) {
    return {
      error: new BotError('llm_failed', `the model server at ${options.host} did not answer like an OpenAI-compatible API`, {
        cause: error instanceof NotAChatCompletionError ? error : new Error('response body is not valid JSON'),
        isRetryable: false,
        userMessage: 'The language model server sent a reply the bot cannot read. An operator should check LLM_BASE_URL (it usually ends in /v1).',
      }),
      retryNow: false,
    }
  }
  return {
    error: new BotError('llm_failed', 'the model call failed unexpectedly', { cause: error, isRetryable: false, userMessage: tryAgainSoon }),
    retryNow: false,
  }
}

export function timeoutFailure(timeoutMs: number, cause?: unknown): Failure {
  return {
    error: new BotError('llm_timeout', `the model did not answer within ${timeoutMs} ms (LLM_TIMEOUT_MS)`, {
      cause,
      isRetryable: true,
      userMessage: 'The language model took too long to answer. Try again; if it keeps happening, an operator can raise LLM_TIMEOUT_MS.',
    }),
    retryNow: false,
  }
}

/**
 * True when the server answered a json_schema request with its own "not supported": a 400 (422 from servers that
 * validate the body, e.g. "unknown variant `json_schema`") naming response_format or json_schema. A complaint about
 * the schema's content ("Invalid schema for response_format …") is about our schema, not missing support.
 */
export function isJsonSchemaRejection(error: unknown): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return false
  const text = `${error.code ?? ''} ${error.message}`
  const namesIt = error.param === 'response_format' || /response_format|json_schema/i.test(text)
  return namesIt && !/invalid schema/i.test(text)
}

function classifyStatus(error: APIError, status: number, options: { maxRetryAfterMs: number }): Failure {
  const retryAfterMs = readRetryAfterMs(error.headers)
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000)
  const detail = `HTTP ${status}${error.code ? ` (${error.code})` : ''}`
  const tooLongToWait = retryAfterMs !== undefined && retryAfterMs > options.maxRetryAfterMs

  if (status === 429 && error.code === 'insufficient_quota') {
    return permanent(error, `the model provider refused the call: ${detail}`, 'The language model account has run out of quota. An operator must check billing with the model provider.')
  }
  if (status === 429) {
    return {
      error: new BotError('llm_rate_limited', `the model provider is rate limiting this bot: ${detail}`, {
        cause: error,
        isRetryable: true,
        retryAfterSeconds,
        userMessage: `The language model is busy (rate limited).${retryAfterSeconds ? ` Try again in ${retryAfterSeconds} seconds.` : ' Try again in a minute.'}`,
      }),
      retryNow: !tooLongToWait,
      retryAfterMs,
    }
  }
  if (status === 408 || status === 409 || status >= 500) {
    return {
      error: new BotError('llm_failed', `the model server failed: ${detail}`, { cause: error, isRetryable: true, retryAfterSeconds, userMessage: tryAgainSoon }),
      retryNow: !tooLongToWait,
      retryAfterMs,
    }
  }
  if (status === 401 || status === 403) {
    return permanent(error, `the model server rejected the API key: ${detail}`, 'The language model rejected the bot\'s API key. An operator should check LLM_API_KEY.')
  }
  if (status === 404) {
    return permanent(error, `the model or endpoint was not found: ${detail}`, 'The language model was not found. An operator should check LLM_MODEL and LLM_BASE_URL.')
  }
  return permanent(error, `the model server rejected the request: ${detail}`, 'The language model could not handle this request. Try a shorter or simpler request.')
}

function permanent(cause: APIError, message: string, userMessage: string): Failure {
  return { error: new BotError('llm_failed', message, { cause, isRetryable: false, userMessage }), retryNow: false }
}

/** `retry-after-ms` (OpenAI's own), else `retry-after` in seconds or as an HTTP date. */
export function readRetryAfterMs(headers: Headers | undefined, now: () => number = Date.now): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '')
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds
  const value = headers?.get('retry-after')
  if (!value) return undefined
  const seconds = Number.parseFloat(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now())
}

function isConnectionDrop(error: unknown): boolean {
  // undici reports a socket closed mid-body as `TypeError: terminated` and a refused connection as `fetch failed`.
  return error instanceof TypeError && /terminated|fetch failed|socket/i.test(error.message)
}
