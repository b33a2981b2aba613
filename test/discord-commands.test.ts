// The registered command set, the custom-id codec, and `npm run discord:register` against the fake Discord REST API.
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { decodeCustomId, encodeCustomId, type CustomId } from '../adapters/discord/custom-ids.js'
import { commandNames, discordCommands } from '../adapters/discord/discord-commands.js'
import { registerDiscordCommands } from '../adapters/discord/register-commands.js'
import { isBotError } from '../src/bot-error.js'
import { startFakeDiscordRest, type FakeDiscordRest } from '../testing/fakes/fake-discord-rest.js'
import { fakeIds } from '../testing/fakes/fake-discord-payloads.js'

let rest: FakeDiscordRest | undefined
afterEach(async () => {
  await rest?.close()
  rest = undefined
})

describe('Discord commands', () => {
  const commands = discordCommands({ maxInputChars: 4000 })
  const byName = (name: string) => commands.find((command) => command.name === name)!

  it('registers /ask, /draft, the message command, /hyperalign and /hyperalign-admin', () => {
    expect(commands.map((command) => command.name)).toEqual([commandNames.ask, commandNames.draft, commandNames.draftReply, commandNames.member, commandNames.admin])
    expect(byName(commandNames.draftReply).type).toBe(3)
  })

  it('gives only the admin command default_member_permissions = Manage Server (0x20)', () => {
    expect(byName(commandNames.admin).default_member_permissions).toBe('32')
    for (const name of [commandNames.ask, commandNames.draft, commandNames.member, commandNames.draftReply]) {
      expect(byName(name).default_member_permissions ?? null).toBeNull()
    }
  })

  it('offers /ask in DMs with the bot, and everything else only in servers', () => {
    expect(byName(commandNames.ask).contexts).toEqual([0, 1])
    expect(byName(commandNames.draft).contexts).toEqual([0])
    expect(byName(commandNames.admin).contexts).toEqual([0])
  })

  it('caps text options at MAX_INPUT_CHARS (and at Discord’s 6,000)', () => {
    const optionsOf = (command: object) => (command as { options: { max_length?: number }[] }).options
    const intent = optionsOf(byName(commandNames.draft))[0]!
    expect(intent.max_length).toBe(4000)
    const big = discordCommands({ maxInputChars: 10_000 }).find((command) => command.name === commandNames.ask)!
    expect(optionsOf(big)[0]!.max_length).toBe(6000)
  })
})

describe('custom ids', () => {
  const draftId = '3f8a2c4e-1b7d-4e9a-8c6f-2d5b9e0a1c3f'
  const examples: CustomId[] = [
    { kind: 'draft-post', draftId, replyTo: '1234567890123456789' },
    { kind: 'draft-edit', draftId, replyTo: undefined },
    { kind: 'draft-discard', draftId },
    { kind: 'reply-modal', channelId: '910000000000000001', messageId: '1234567890123456789' },
    { kind: 'hypothesis-pin', hypothesisId: 'h:with:colons', pinned: true },
    { kind: 'forget-confirm' },
  ]

  it('round-trips within 100 characters', () => {
    for (const example of examples) {
      const encoded = encodeCustomId(example)
      expect(encoded.length).toBeLessThanOrEqual(100)
      expect(decodeCustomId(encoded)).toEqual(example)
    }
  })

  it('rejects ids it did not make', () => {
    expect(decodeCustomId('other-app:draft-post:1')).toBeUndefined()
    expect(decodeCustomId('hyperalign:no-such-kind')).toBeUndefined()
    expect(decodeCustomId('hyperalign:draft-post:')).toBeUndefined()
    expect(decodeCustomId('hyperalign:%E0%A4%A')).toBeUndefined()
  })
})

describe('npm run discord:register', () => {
  const settings = (extra: Record<string, string>) =>
    parseConfig({ DISCORD_TOKEN: 'FAKE.DISCORD.BOT-TOKEN', DISCORD_APP_ID: fakeIds.application, DISCORD_API_URL: rest!.apiUrl, ...extra })

  it('registers guild commands when DISCORD_GUILD_ID is set', async () => {
    rest = await startFakeDiscordRest()
    const report = await registerDiscordCommands(settings({ DISCORD_GUILD_ID: fakeIds.guild }))
    expect(report).toMatchObject({ scope: 'guild', guildId: fakeIds.guild })
    const [call] = rest.callsTo('PUT', /commands$/)
    expect(call!.path).toBe(`/applications/${fakeIds.application}/guilds/${fakeIds.guild}/commands`)
    expect((call!.body as { name: string }[]).map((command) => command.name)).toEqual(report.commands)
  })

  it('registers global commands otherwise, and waits out a 429', async () => {
    rest = await startFakeDiscordRest()
    rest.rateLimit({ method: 'PUT', path: /commands$/, retryAfterSeconds: 0.2 })
    const report = await registerDiscordCommands(settings({}))
    expect(report.scope).toBe('global')
    const calls = rest.callsTo('PUT', /commands$/)
    expect(calls.map((call) => call.status)).toEqual([429, 200])
    expect(calls[1]!.path).toBe(`/applications/${fakeIds.application}/commands`)
  })

  it('says which settings are missing', async () => {
    const error = await registerDiscordCommands(parseConfig({})).catch((caught: unknown) => caught)
    expect(isBotError(error, 'config_invalid')).toBe(true)
    expect((error as Error).message).toMatch(/DISCORD_TOKEN and DISCORD_APP_ID/)
  })
})
