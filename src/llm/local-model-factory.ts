// Opens the embedded model from settings for the app: resolves the file and threads, and when the file or the package
// is missing returns a stand-in that explains why on every call, so the bot still starts. Never downloads.
import { isBotError, type BotError } from '../bot-error.js'
import type { Config } from '../config.js'
import { silentLogger, type Logger } from '../logger.js'
import type { LanguageModel } from './language-model.js'
import { createLocalModel } from './local-model.js'
import { resolveLocalModelSource, resolveLocalThreads } from './local-model-source.js'

export type OpenedLocalModel = { model: LanguageModel; ready: true } | { model: LanguageModel; ready: false; problem: BotError }

export async function openLocalModel(config: Config, options: { logger?: Logger } = {}): Promise<OpenedLocalModel> {
  const logger = options.logger ?? silentLogger
  try {
    const source = resolveLocalModelSource(config)
    const model = await createLocalModel({
      modelPath: source.modelPath,
      threads: resolveLocalThreads(config.LOCAL_THREADS),
      contextSize: config.LOCAL_CONTEXT_SIZE,
      maxSequences: config.LOCAL_MAX_SEQUENCES,
      logger,
    })
    return { model, ready: true }
  } catch (error) {
    if (!isBotError(error)) throw error
    logger.warn('local_model.unavailable', { code: error.code, message: error.message })
    const fail = async (): Promise<never> => {
      throw error
    }
    return { model: { name: 'local:unavailable', generateText: fail, generateObject: fail }, ready: false, problem: error }
  }
}
