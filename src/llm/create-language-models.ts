// Chooses the language models from settings: the hosted OpenAI-compatible model when LLM_API_KEY or LLM_BASE_URL is
// set (or LLM_PROVIDER=openai), else the embedded model; without either, a stand-in that explains how to set one up.
import type { Config } from '../config.js'
import { silentLogger, type Logger } from '../logger.js'
import type { LanguageModel } from './language-model.js'
import { createLimitedModel } from './limited-model.js'
import { openLocalModel } from './local-model-factory.js'
import { shouldUseLocalModel } from './model-pull.js'
import { createOpenAiModel } from './openai-model.js'

export type LanguageModels = {
  model: LanguageModel
  /** The model for safety verdicts (LLM_SAFETY_MODEL); the same instance when it names the same model. */
  safetyModel: LanguageModel
  /** For the startup log and the console banner, e.g. `openai:gpt-4o-mini` or `none (…)`. */
  description: string
  ready: boolean
}

export async function createLanguageModels(config: Config, logger: Logger = silentLogger): Promise<LanguageModels> {
  if (shouldUseLocalModel(config)) {
    const opened = await openLocalModel(config, { logger })
    // The local model queues on its own; the limit on top makes workspaces take turns in that queue.
    const model = opened.ready ? createLimitedModel(opened.model, config.LOCAL_MAX_SEQUENCES) : opened.model
    return opened.ready
      ? { model, safetyModel: model, description: opened.model.name, ready: true }
      : { model: opened.model, safetyModel: opened.model, description: `none (${opened.problem.code})`, ready: false }
  }
  const hosted = (name: string) =>
    createLimitedModel(
      createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: name, timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES, logger }),
      config.LLM_MAX_CONCURRENCY,
    )
  const model = hosted(config.LLM_MODEL)
  const safetyModel = config.safetyModel === config.LLM_MODEL ? model : hosted(config.safetyModel)
  return { model, safetyModel, description: model.name + (safetyModel === model ? '' : `, safety ${safetyModel.name}`), ready: true }
}
