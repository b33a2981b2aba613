// Which platforms this process serves, from the settings: Slack and/or Discord when configured, else the console.
// The one list of adapters in the house; a third platform is one more line here once it implements PlatformAdapter.
import { createConsoleAdapter } from '../adapters/console/console-adapter.js'
import { createDiscordAdapter } from '../adapters/discord/discord-adapter.js'
import { createSlackAdapter } from '../adapters/slack/slack-adapter.js'
import type { Config } from '../src/config.js'
import type { PlatformAdapter } from '../src/core/platform-adapter.js'
import type { Logger } from '../src/logger.js'

export function platformAdapters(config: Config, logger: Logger, console: { samplePath: string; modelDescription: string }): PlatformAdapter[] {
  const adapters: PlatformAdapter[] = []
  if (config.slackEnabled) adapters.push(createSlackAdapter({ config, logger }))
  if (config.discordEnabled) adapters.push(createDiscordAdapter({ config, logger }))
  // The console is the whole app when no platform is configured.
  return adapters.length ? adapters : [createConsoleAdapter(console)]
}
