// Smoke test of the fake Discord REST API and gateway with the real discord.js client (no bot code involved).
import { afterEach, describe, expect, it } from 'vitest'
import { Client, Events, GatewayIntentBits, MessageFlags, Partials } from 'discord.js'
import { startFakeDiscord, type FakeDiscord } from '../testing/fakes/fake-discord-harness.js'
import { fakeIds, fakeUsers, makeMessage } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'

let fake: FakeDiscord | undefined
let client: Client | undefined
afterEach(async () => {
  await client?.destroy()
  await fake?.close()
})

describe('fake Discord', () => {
  it('lets the real client log in, receive a message and defer an interaction', async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 100 })
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages],
      partials: [Partials.Channel, Partials.Message],
      rest: { api: fake.rest.apiUrl },
    })
    const ready = new Promise((resolve) => client!.once(Events.ClientReady, resolve))
    await client.login(fake.environment.DISCORD_TOKEN)
    await ready
    expect(client.guilds.cache.get(fakeIds.guild)?.channels.cache.size).toBe(3)
    expect(fake.gateway.connectionQueries[0]).toContain('encoding=json')
    expect(fake.gateway.connectionQueries[0]).not.toContain('compress')

    const received = new Promise<string>((resolve) => client!.once(Events.MessageCreate, (message) => resolve(message.content)))
    await fake.gateway.dispatch('MESSAGE_CREATE', makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'hello there' }))
    expect(await received).toBe('hello there')

    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.deferReply({ flags: MessageFlags.Ephemeral })
    })
    const interaction = makeSlashInteraction({ name: 'ask', user: fakeUsers.alice, options: [{ name: 'question', type: 3, value: 'why?' }] })
    await fake.gateway.dispatch('INTERACTION_CREATE', interaction)
    const callback = await fake.rest.waitForCall((call) => call.path === `/interactions/${interaction.id}/${interaction.token}/callback`)
    expect(callback.body).toMatchObject({ type: 5, data: { flags: 64 } })
    expect(callback.status).toBe(204)
    // Heartbeats are acknowledged, so the client keeps the connection (it reconnects on a missing ACK).
    await expect.poll(() => fake!.gateway.heartbeats, { timeout: 5000 }).toBeGreaterThanOrEqual(2)
    expect(fake.gateway.identifies).toHaveLength(1)
  })
})
