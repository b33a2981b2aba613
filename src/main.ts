// Starts hyperalign: settings, store, models and the core, then Slack and/or Discord when configured, else the
// console. The composition root: the only module that knows every adapter. Shuts down cleanly on SIGINT/SIGTERM;
// an error nothing contained is logged with its stack and ends the process with exit code 1.
import { runConsoleApp } from '../adapters/console/console-app.js'
import { createDiscordBot } from '../adapters/discord/create-discord-bot.js'
import { createSlackApp } from '../adapters/slack/create-slack-app.js'
import { isBotError } from './bot-error.js'
import { loadConfig } from './config.js'
import { createBotCore } from './core/create-bot-core.js'
import { createLanguageModels } from './llm/create-language-models.js'
import { offerLocalModelDownload } from './llm/model-pull.js'
import { createLogger } from './logger.js'
import { installProcessGuard } from './process-guard.js'
import { openStore } from './store/open-store.js'

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

  const stops: (() => Promise<void>)[] = []
  const shutdown = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => logger.warn('stop_failed', { error }))
    await lifecycle.close()
    await store.close()
  }

  if (!platforms) {
    // The console is the whole app when no platform is configured; it ends when its input ends.
    await runConsoleApp({ core, samplePath, modelDescription: models.description })
    await shutdown()
    return
  }
  if (config.slackEnabled) {
    const slack = createSlackApp({ core, config, logger })
    await slack.start()
    stops.push(() => slack.stop())
    logger.info('slack_started', { mode: slack.mode, port: slack.port })
  }
  if (config.discordEnabled) {
    const discord = createDiscordBot({ core, config, logger })
    await discord.start()
    stops.push(() => discord.stop())
    logger.info('discord_started', {})
  }
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      logger.info('stopping', { signal })
      void shutdown().then(() => process.exit(0))
    })
  }
}

main().catch((error: unknown) => {
  // Startup errors are for the operator: say what is wrong and what to do, without a stack trace for known ones.
  process.stderr.write(isBotError(error) ? `hyperalign could not start: ${error.message}\n` : `hyperalign could not start: ${(error as Error)?.stack ?? String(error)}\n`)
  process.exit(1)
})
