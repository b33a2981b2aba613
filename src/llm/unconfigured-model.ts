// Stands in when neither a hosted nor an embedded model is set up, so everything that needs no model still works.
// Every call fails with `llm_not_configured`, whose message names the two ways forward; it never tries a network.
import { BotError } from '../bot-error.js'
import type { LanguageModel } from './language-model.js'

export const modelNotConfiguredMessage =
  'This needs a language model, and none is configured. Either set LLM_API_KEY (and LLM_BASE_URL for a server ' +
  'other than OpenAI) to use a hosted model, or run `npm run model:pull` to download the embedded model.'

export function modelNotConfiguredError(): BotError {
  return new BotError('llm_not_configured', 'no language model is configured (no LLM_API_KEY and no embedded model file)', {
    isRetryable: false,
    userMessage: modelNotConfiguredMessage,
  })
}

export function createUnconfiguredModel(): LanguageModel {
  return {
    name: 'unconfigured',
    generateText: async () => {
      throw modelNotConfiguredError()
    },
    generateObject: async () => {
      throw modelNotConfiguredError()
    },
  }
}
