// Which optional request parameters a server accepts, learned from its refusals. OpenAI's reasoning models reject
// `max_tokens` (they want `max_completion_tokens`) and any temperature but the default; some servers reject `seed`.
// A 400 that names such a parameter adapts the request once, and every later request goes out adapted.
import { APIError } from 'openai'
import type { Logger } from '../logger.js'
import type { CompletionRequest } from './openai-chat-completion.js'

type Adaptable = 'max_tokens' | 'temperature' | 'seed'

export type ParameterSupport = {
  apply(request: CompletionRequest): CompletionRequest
  /** True when the error named a parameter this call can do without (or rename); the caller sends again. */
  learnFrom(error: unknown): boolean
}

export function createParameterSupport(logger: Logger, model: string): ParameterSupport {
  let tokenLimit: NonNullable<CompletionRequest['tokenLimitParam']> = 'max_tokens'
  let sendTemperature = true
  let sendSeed = true
  return {
    apply(request) {
      return {
        ...request,
        tokenLimitParam: tokenLimit,
        temperature: sendTemperature ? request.temperature : undefined,
        seed: sendSeed ? request.seed : undefined,
      }
    },
    learnFrom(error) {
      const parameter = rejectedParameter(error)
      let changed = false
      if (parameter === 'max_tokens' && tokenLimit === 'max_tokens') {
        tokenLimit = 'max_completion_tokens'
        changed = true
      } else if (parameter === 'temperature' && sendTemperature) {
        sendTemperature = false
        changed = true
      } else if (parameter === 'seed' && sendSeed) {
        sendSeed = false
        changed = true
      }
      if (changed) logger.warn('llm_parameter_unsupported', { model, parameter, now: parameter === 'max_tokens' ? 'max_completion_tokens' : 'omitted' })
      return changed
    },
  }
}

/** The parameter a 400 "unsupported parameter / value" names, from the error's `param` or its message. */
function rejectedParameter(error: unknown): Adaptable | undefined {
  const cause = error instanceof APIError ? error : (error as { cause?: unknown } | undefined)?.cause
  if (!(cause instanceof APIError) || cause.status !== 400) return undefined
  const text = `${cause.code ?? ''} ${cause.message}`
  if (!/unsupported|not supported|does not support|unrecognized|unknown/i.test(text)) return undefined
  const named = typeof cause.param === 'string' ? cause.param : /'(max_tokens|temperature|seed)'/.exec(cause.message)?.[1]
  return named === 'max_tokens' || named === 'temperature' || named === 'seed' ? named : undefined
}
