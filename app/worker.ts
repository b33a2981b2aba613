// `npm run worker`: a process that only runs learning jobs from the store's job queue (Redis or PostgreSQL), so
// learning can run on other machines than the ones answering Slack and Discord. It serves no platform.
import { isBotError, BotError } from '../src/bot-error.js'
import { loadConfig } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import { createLanguageModels } from '../src/llm/create-language-models.js'
import { createLogger } from '../src/logger.js'
import { openStore } from '../src/store/open-store.js'
import { stopOnSignals } from './stop-on-signals.js'

async function main(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config.LOG_LEVEL)
  if (config.STORE_URL.startsWith('sqlite:')) {
    throw new BotError('config_invalid', 'npm run worker needs a store every process can reach: set STORE_URL to redis://… or postgres://… (with SQLite, learning runs inside `npm start`)')
  }
  const store = await openStore(config.STORE_URL, { onInvalidValue: (collection) => logger.warn('store_value_invalid', { collection }) })
  const models = await createLanguageModels(config, logger)
  const { lifecycle } = await createBotCore({ config, store, model: models.model, safetyModel: models.safetyModel, logger, learningWorker: true })
  logger.info('worker_started', { store: store.kind, model: models.description, leaseSeconds: config.LEARNING_JOB_LEASE_SECONDS })
  // A running job finishes first; one that does not (a hard kill) is taken over by another worker after its lease.
  stopOnSignals(logger, () => lifecycle.close().then(() => store.close()))
}

main().catch((error: unknown) => {
  process.stderr.write(isBotError(error) ? `hyperalign worker could not start: ${error.message}\n` : `hyperalign worker could not start: ${(error as Error)?.stack ?? String(error)}\n`)
  process.exit(1)
})
