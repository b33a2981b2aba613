// Starts the fake Discord REST API and gateway together and wires the gateway URL into /gateway/bot.
// Test code only: gives the settings (DISCORD_API_URL, token, app id) a real discord.js client needs to use them.
import { fakeIds, makeGuild, type FakeGuild } from './fake-discord-payloads.js'
import { startFakeDiscordGateway, type FakeDiscordGateway } from './fake-discord-gateway.js'
import { startFakeDiscordRest, type FakeDiscordRest } from './fake-discord-rest.js'

export type FakeDiscord = {
  rest: FakeDiscordRest
  gateway: FakeDiscordGateway
  /** Settings for parseConfig: point the bot at the fakes. */
  environment: Record<string, string>
  close(): Promise<void>
}

export const fakeBotToken = 'FAKE.DISCORD.BOT-TOKEN'

export async function startFakeDiscord(options: { guilds?: FakeGuild[]; heartbeatIntervalMs?: number } = {}): Promise<FakeDiscord> {
  const rest = await startFakeDiscordRest({ guilds: options.guilds ?? [makeGuild()] })
  const gateway = await startFakeDiscordGateway({ guilds: () => [...rest.guilds.values()], heartbeatIntervalMs: options.heartbeatIntervalMs })
  rest.setGatewayUrl(gateway.url)
  return {
    rest,
    gateway,
    environment: { DISCORD_TOKEN: fakeBotToken, DISCORD_APP_ID: fakeIds.application, DISCORD_API_URL: rest.apiUrl },
    async close() {
      await gateway.close()
      await rest.close()
    },
  }
}
