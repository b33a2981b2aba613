// The model that judges "which reads more like the author": the generator itself unless a judge is set apart
// (EVAL_JUDGE_MODEL / --judge-model). A judge from the generator's own family tends to favour that family's writing,
// which is why the README recommends another family. The judge is any OpenAI-compatible model; its endpoint falls
// back to the generator's (LLM_BASE_URL, LLM_API_KEY).
import { BotError } from '../src/bot-error.js'
import type { Config } from '../src/config.js'
import type { LanguageModel } from '../src/llm/language-model.js'
import { createLimitedModel } from '../src/llm/limited-model.js'
import { createOpenAiModel } from '../src/llm/openai-model.js'
import type { Logger } from '../src/logger.js'
import type { JudgeSettings } from './eval-options.js'

export function openJudgeModel(config: Config, judge: JudgeSettings | undefined, generator: LanguageModel, logger: Logger): LanguageModel {
  if (!judge) return generator
  const baseUrl = judge.baseUrl ?? config.LLM_BASE_URL
  const apiKey = judge.apiKey ?? config.LLM_API_KEY
  if (!baseUrl && !apiKey) {
    throw new BotError(
      'llm_not_configured',
      `The judge ${judge.model} has no endpoint: set EVAL_JUDGE_BASE_URL (and EVAL_JUDGE_API_KEY) for it, or LLM_BASE_URL / LLM_API_KEY, which it shares otherwise.`,
    )
  }
  return createLimitedModel(
    createOpenAiModel({ baseUrl, apiKey, model: judge.model, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES, logger }),
    config.LLM_MAX_CONCURRENCY,
  )
}
