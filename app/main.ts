// Starts hyperalign: settings, store, models and the core, then every platform adapter the settings ask for (the
// console when none is configured). The composition root: it knows adapters only as PlatformAdapter and loops over
// them. Shuts down cleanly on SIGINT/SIGTERM or when an adapter ends by itself; a startup error exits with code 1.
import { isBotError } from '../src/bot-error.js'
import { loadConfig } from '../src/config.js'
import { createBotCore } from '../src/core/create-bot-core.js'
import type { PlatformAdapter } from '../src/core/platform-adapter.js'
import { createLanguageModels } from '../src/llm/create-language-models.js'
import { offerLocalModelDownload } from '../src/llm/model-pull.js'
import { createLogger } from '../src/logger.js'
import { installProcessGuard } from '../src/process-guard.js'
import { openStore } from '../src/store/open-store.js'
import { platformAdapters } from './platform-adapters.js'
import { stopOnSignals } from './stop-on-signals.js'

const samplePath = new URL('../examples/sample-conversation.jsonl', import.meta.url).pathname

async function main(): Promise<void> {
  const config = loadConfig()
  const platforms = config.slackEnabled || config.discordEnabled
  // The console is a conversation in a terminal: short text lines there, JSON lines for servers.
  const logger = createLogger(config.LOG_LEVEL, undefined, platforms ? 'json' : 'text')
  // Anything no boundary contained is logged with its stack before a non-zero exit (run under a supervisor).
  installProcessGuard(logger)
  if (!platforms && !process.argv.includes('--no-model-offer')) await offerLocalModelDownload({ config, logger })
  const store = await openStore(config.STORE_URL, {
    startupTimeoutMs: config.STORE_STARTUP_TIMEOUT_MS,
    onInvalidValue: (collection) => logger.warn('store_value_invalid', { collection }),
  })
  const models = await createLanguageModels(config, logger)
  const { core, lifecycle } = await createBotCore({ config, store, model: models.model, safetyModel: models.safetyModel, logger })
  logger.info('started', { store: store.kind, model: models.description, slack: config.slackEnabled, discord: config.discordEnabled })

  const started: PlatformAdapter[] = []
  const shutdown = async () => {
    for (const adapter of [...started].reverse()) await adapter.stop().catch((error) => logger.warn('stop_failed', { adapter: adapter.name, error }))
    await lifecycle.close()
    await store.close()
  }
  for (const adapter of platformAdapters(config, logger, { samplePath, modelDescription: models.description })) {
    await adapter.start(core)
    started.push(adapter)
  }

  // An adapter that ends by itself (the console, when its input ends) ends the process with it.
  const finishing = started.flatMap((adapter) => (adapter.finished ? [adapter.finished()] : []))
  if (finishing.length) {
    await Promise.race(finishing)
    await shutdown()
    return
  }
  stopOnSignals(logger, shutdown)
}

main().catch((error: unknown) => {
  // Startup errors are for the operator: say what is wrong and what to do, without a stack trace for known ones.
  process.stderr.write(isBotError(error) ? `hyperalign could not start: ${error.message}\n` : `hyperalign could not start: ${(error as Error)?.stack ?? String(error)}\n`)
  process.exit(1)
})
