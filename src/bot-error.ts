// The one error type of the bot: a closed list of codes, each with a message a member or operator can act on.
// Adapters render `userMessage`; logs get `code`, `message` and `cause`. Never put member text in `message`.

export const errorCodes = [
  'config_invalid',
  'input_invalid',
  'input_too_large',
  'not_found',
  'not_permitted',
  'consent_required',
  'bot_disabled',
  'llm_not_configured',
  'llm_failed',
  'llm_timeout',
  'llm_rate_limited',
  'llm_output_invalid',
  'llm_budget_exceeded',
  'safety_blocked',
  'safety_check_failed',
  'platform_rate_limited',
  'platform_failed',
  'store_unavailable',
  'lock_lost',
  'duplicate',
] as const

export type ErrorCode = (typeof errorCodes)[number]

const retryableByDefault: ReadonlySet<ErrorCode> = new Set([
  'llm_failed',
  'llm_timeout',
  'llm_rate_limited',
  'platform_rate_limited',
  'platform_failed',
  'store_unavailable',
  'lock_lost',
])

export type BotErrorOptions = {
  cause?: unknown
  isRetryable?: boolean
  /** Seconds the caller should wait before retrying, when the source said so. */
  retryAfterSeconds?: number
  /** Text safe to show the member who caused the error; defaults to `message`. */
  userMessage?: string
  /** Tokens a model call consumed before it failed (a reply that was unusable still costs). */
  tokensUsed?: TokensUsed
}

export type TokensUsed = { promptTokens: number; completionTokens: number }

export class BotError extends Error {
  readonly code: ErrorCode
  readonly isRetryable: boolean
  readonly retryAfterSeconds?: number
  readonly userMessage: string
  /** Set by the model layer when the failed call still consumed tokens, so the budget counts them. */
  tokensUsed?: TokensUsed

  constructor(code: ErrorCode, message: string, options: BotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BotError'
    this.code = code
    this.isRetryable = options.isRetryable ?? retryableByDefault.has(code)
    this.retryAfterSeconds = options.retryAfterSeconds
    this.userMessage = options.userMessage ?? message
    this.tokensUsed = options.tokensUsed
  }
}

/** Records on a BotError the tokens spent before it was thrown (when it has none yet); returns the error. */
export function withTokensUsed(error: unknown, usage: TokensUsed): unknown {
  if (error instanceof BotError && !error.tokensUsed && usage.promptTokens + usage.completionTokens > 0) error.tokensUsed = usage
  return error
}

export function isBotError(error: unknown, code?: ErrorCode): error is BotError {
  return error instanceof BotError && (code === undefined || error.code === code)
}
