// Gateway packets discord.js itself cannot digest, sent by the fake gateway to the real client: the failure stays
// with that one packet (logged with its type, never its content) and the bot goes on answering the next one.
import { afterEach, describe, expect, it } from 'vitest'
import { startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeMessage, nextSnowflake } from '../testing/fakes/fake-discord-payloads.js'
import { makeButtonInteraction, makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const helpCommand = () => makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'help', type: 1 }] })

describe('Discord gateway packets of the wrong shape', () => {
  it('a component interaction whose message.interaction_metadata lacks authorizing_integration_owners is logged and dropped, and the bot goes on', async () => {
    harness = await startDiscordTestBot()
    const carrier = {
      ...makeMessage({ author: fakeUsers.bot, channelId: fakeIds.publicChannel, content: 'MEMBER-TEXT-NOT-FOR-LOGS' }),
      // What Discord documents for a message created by an interaction, minus authorizing_integration_owners.
      interaction_metadata: { id: nextSnowflake(), type: 2, user: fakeUsers.alice },
    }
    const broken = makeButtonInteraction({ customId: 'not-used', user: fakeUsers.alice, message: carrier })

    await harness.fake.gateway.dispatch('INTERACTION_CREATE', broken)
    const answered = await harness.interact(helpCommand())

    expect(answered.status).toBeLessThan(300)
    const failures = harness.logs.filter((line) => line.event === 'discord_event_failed')
    expect(failures.map((line) => line.fields.eventType)).toEqual(['INTERACTION_CREATE'])
    expect(JSON.stringify(harness.logs)).not.toContain('MEMBER-TEXT-NOT-FOR-LOGS')
    expect(harness.fake.rest.calls.filter((call) => call.path.includes(`/interactions/${broken.id}/`))).toEqual([])
  })

  it('a channel message that discord.js cannot build is logged and dropped, and later messages are still learned', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const broken = { ...makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'MEMBER-TEXT-NOT-FOR-LOGS' }), interaction_metadata: { id: nextSnowflake(), type: 2, user: fakeUsers.alice } }

    await harness.fake.gateway.dispatch('MESSAGE_CREATE', broken)
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'a message discord.js can read' }))

    const [observed] = await harness.waitForObserved(1)
    expect(observed!.message.text).toBe('a message discord.js can read')
    expect(harness.logs.filter((line) => line.event === 'discord_event_failed').map((line) => line.fields.eventType)).toEqual(['MESSAGE_CREATE'])
    expect(JSON.stringify(harness.logs)).not.toContain('MEMBER-TEXT-NOT-FOR-LOGS')
  })
})
