// Learning on Discord: gateway messages into the core's observe path (creations, edits, deletions), what is never
// learned (non-opted-in members, bots, the bot itself, DMs), and the backfill from channel history with progress.
import { afterEach, describe, expect, it } from 'vitest'
import { modelCallKind, promptText, startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeMessage, nextSnowflake } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const inGeneral = (author: typeof fakeUsers.alice, content: string) => makeMessage({ author, channelId: fakeIds.publicChannel, content })
const historySize = async (bot: DiscordTestBot, userId: string) => (await bot.testCore.core.profile(bot.actor(userId), bot.member(userId))).historySize

describe('Discord learning', () => {
  it('connects with exactly the intents it needs: Guilds, Guild Messages, Message Content (privileged), Direct Messages', async () => {
    harness = await startDiscordTestBot()
    const [identify] = harness.fake.gateway.identifies
    expect(identify!.intents).toBe((1 << 0) | (1 << 9) | (1 << 15) | (1 << 12))
    expect(harness.fake.gateway.connectionQueries[0]).toBe('?v=10&encoding=json')
  })

  it('a non-opted-in member is never learned from, not even after opting in later', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.sendMessage(inGeneral(fakeUsers.bob, 'BOB-BEFORE-OPTIN: deploy looks good to me'))
    const [first] = await harness.waitForObserved(1)
    expect(first!.outcome).toEqual({ status: 'ignored', reason: 'not_opted_in' })
    await harness.optIn(fakeIds.memberBob)
    expect(await historySize(harness, fakeIds.memberBob)).toBe(0)
    expect(await harness.storeText()).not.toContain('BOB-BEFORE-OPTIN')
  })

  it('an opted-in member’s message in an enabled channel is stored; other channels are not', async () => {
    harness = await startDiscordTestBot()
    await harness.enable([fakeIds.publicChannel])
    await harness.optIn(fakeIds.memberAlice)
    await harness.sendMessage(inGeneral(fakeUsers.alice, 'shipping the fix now, back in 10'))
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.quietChannel, content: 'QUIET-CHANNEL-TEXT' }))
    const outcomes = (await harness.waitForObserved(2)).map((entry) => entry.outcome)
    expect(outcomes).toContainEqual({ status: 'stored', due: false })
    expect(outcomes).toContainEqual({ status: 'ignored', reason: 'channel_not_enabled' })
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(1)
    expect(await harness.storeText()).not.toContain('QUIET-CHANNEL-TEXT')
  })

  it('a deleted Discord message is deleted from history; an edit replaces the text', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const kept = inGeneral(fakeUsers.alice, 'ORIGINAL-TEXT of a message I will edit')
    const doomed = inGeneral(fakeUsers.alice, 'DOOMED-TEXT of a message I will delete')
    await harness.sendMessage(kept)
    await harness.sendMessage(doomed)
    await harness.waitForObserved(2)
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(2)

    await harness.fake.gateway.dispatch('MESSAGE_UPDATE', { ...kept, content: 'EDITED-TEXT of a message I edited', edited_timestamp: new Date().toISOString() })
    await harness.fake.gateway.dispatch('MESSAGE_DELETE', { id: doomed.id, channel_id: doomed.channel_id, guild_id: fakeIds.guild })
    const outcomes = (await harness.waitForObserved(4)).slice(2).map((entry) => entry.outcome.status)
    expect(outcomes.sort()).toEqual(['deleted', 'updated'])
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(1)
    const store = await harness.storeText()
    expect(store).not.toContain('DOOMED-TEXT')
    expect(store).not.toContain('ORIGINAL-TEXT')
    expect(store).toContain('EDITED-TEXT')
  })

  it('a deletion the client never cached (partial) still reaches the core by message id', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const message = inGeneral(fakeUsers.alice, 'UNCACHED-TEXT that will be deleted')
    await harness.sendMessage(message)
    await harness.waitForObserved(1)
    harness.bot.client.channels.cache.get(fakeIds.publicChannel)!.isTextBased() &&
      (harness.bot.client.channels.cache.get(fakeIds.publicChannel) as { messages: { cache: Map<string, unknown> } }).messages.cache.clear()
    await harness.fake.gateway.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: fakeIds.publicChannel, guild_id: fakeIds.guild })
    const [, deletion] = await harness.waitForObserved(2)
    expect(deletion!.message.userId).toBeUndefined()
    expect(deletion!.outcome.status).toBe('deleted')
    expect(await harness.storeText()).not.toContain('UNCACHED-TEXT')
  })

  it('ignores other bots (the core drops them) and never passes on the bot’s own messages', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.otherBot)
    await harness.sendMessage(inGeneral(fakeUsers.bot, 'OWN-BOT-TEXT'))
    await harness.sendMessage(inGeneral(fakeUsers.otherBot, 'OTHER-BOT-TEXT'))
    const [entry] = await harness.waitForObserved(1)
    expect(entry!.message.userId).toBe(fakeIds.otherBot)
    expect(entry!.outcome).toEqual({ status: 'ignored', reason: 'bot' })
    expect(await harness.storeText()).not.toMatch(/OWN-BOT-TEXT|OTHER-BOT-TEXT/)
  })
})

describe('DMs are never used as learning material for a server and never leak into one', () => {
  it('a DM is not observed, not stored, and absent from that server’s later prompts and channels', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const directChannel = harness.fake.rest.openDirectChannel(fakeIds.memberAlice)
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: directChannel, guildId: null, content: 'DM-SECRET-MARKER my salary is 123k, how do I ask for more?' }))
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${directChannel}/messages`)
    await harness.sendMessage(inGeneral(fakeUsers.alice, 'morning all, standup in 5'))
    await harness.waitForObserved(1)
    expect(harness.observed.map((entry) => entry.message.text)).toEqual(['morning all, standup in 5'])

    // The DM's own answer (and its safety checks) saw the DM; nothing the server asks for afterwards may.
    const requestsForTheDirectMessage = harness.testCore.server.chatRequests().length
    const interaction = makeSlashInteraction({ name: 'draft', user: fakeUsers.alice, options: [{ name: 'intent', type: 3, value: 'say hi to the team' }] })
    await harness.interact(interaction)
    await harness.waitForEdit(interaction)
    const serverRequests = harness.testCore.server.chatRequests().slice(requestsForTheDirectMessage)
    expect(serverRequests.map(modelCallKind)).toEqual(['safety_request', 'draft', 'safety_output'])
    for (const request of serverRequests) expect(promptText(request)).not.toContain('DM-SECRET-MARKER')
    const serverCalls = harness.fake.rest.calls.filter((call) => !call.path.startsWith(`/channels/${directChannel}`))
    expect(JSON.stringify(serverCalls)).not.toContain('DM-SECRET-MARKER')
    expect(await harness.storeText()).not.toContain('DM-SECRET-MARKER')
  })
})

describe('Discord backfill', () => {
  function seedHistory(bot: DiscordTestBot, aliceCount: number, bobCount: number) {
    const start = Date.now() - 86_400_000
    // Alice and Bob alternate until one runs out; the rest are the other's.
    const authors = Array.from({ length: aliceCount + bobCount }, (_, index) => index)
    let aliceLeft = aliceCount
    let bobLeft = bobCount
    const messages = authors.map((index) => {
      const author = aliceLeft > 0 && (index % 2 === 0 || bobLeft === 0) ? fakeUsers.alice : fakeUsers.bob
      if (author === fakeUsers.alice) aliceLeft -= 1
      else bobLeft -= 1
      return makeMessage({ id: nextSnowflake(start + index * 1000), at: start + index * 1000, author, channelId: fakeIds.publicChannel, content: `${author.username.toUpperCase()}-HISTORY-${index} about the release` })
    })
    bot.fake.rest.seedMessages(fakeIds.publicChannel, messages)
    bot.fake.rest.seedMessages(fakeIds.quietChannel, [makeMessage({ author: fakeUsers.alice, channelId: fakeIds.quietChannel, content: 'QUIET-HISTORY not enabled here' })])
    return messages
  }

  it('learns only the member’s messages from enabled channels, waits out a 429, and updates a progress message', async () => {
    harness = await startDiscordTestBot()
    await harness.enable([fakeIds.publicChannel])
    await harness.optIn(fakeIds.memberAlice)
    seedHistory(harness, 120, 130)
    harness.fake.rest.rateLimit({ method: 'GET', path: new RegExp(`^/channels/${fakeIds.publicChannel}/messages$`), retryAfterSeconds: 0.3 })
    const interaction = makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'learn-history', type: 1, options: [] }] })
    await harness.interact(interaction)
    const done = await harness.waitForEdit(interaction, (body) => String(body.content).startsWith('Done'))
    expect(done.content).toMatch(/^Done: learned from 120 of your messages \(up to 300\)/)
    const edits = harness.fake.rest.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/${interaction.token}/messages/@original`))
    expect(edits.length).toBeGreaterThanOrEqual(2)
    expect(String((edits[0]!.body as { content?: string }).content)).toMatch(/^Learning from your recent messages… learned from 0/)
    expect(edits.some((call) => /Discord asked me to slow down; continuing in \d+ s\./.test(String((call.body as { content?: string }).content)))).toBe(true)
    const reads = harness.fake.rest.callsTo('GET', new RegExp(`^/channels/${fakeIds.publicChannel}/messages$`))
    expect(reads[0]!.status).toBe(429)
    expect(reads.slice(1).every((call) => call.status === 200)).toBe(true)
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(120)
    const store = await harness.storeText()
    expect(store).not.toContain('BOB-HISTORY')
    expect(store).not.toContain('QUIET-HISTORY')
    // A channel closed to learning is not even read.
    expect(harness.fake.rest.callsTo('GET', new RegExp(`^/channels/${fakeIds.quietChannel}/messages$`))).toHaveLength(0)
  })

  it('stops at DISCORD_BACKFILL_MAX_MESSAGES and counts what it already knew on a second run', async () => {
    harness = await startDiscordTestBot({ settings: { DISCORD_BACKFILL_MAX_MESSAGES: '25' } })
    await harness.enable([fakeIds.publicChannel])
    await harness.optIn(fakeIds.memberAlice)
    seedHistory(harness, 60, 0)
    const run = async () => {
      const interaction = makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'learn-history', type: 1, options: [] }] })
      await harness!.interact(interaction)
      return String((await harness!.waitForEdit(interaction, (body) => String(body.content).startsWith('Done'))).content)
    }
    expect(await run()).toMatch(/^Done: learned from 25 of your messages \(up to 25\)/)
    const second = await run()
    expect(second).toMatch(/^Done: learned from 25 of your messages/)
    expect(second).toMatch(/25 were already known/)
    expect(await historySize(harness, fakeIds.memberAlice)).toBe(50)
  })

  it('a backfill learns what the live path learns: no system messages (a thread created, a pin), nothing addressed to the app', async () => {
    harness = await startDiscordTestBot()
    await harness.enable([fakeIds.publicChannel])
    await harness.optIn(fakeIds.memberAlice)
    const start = Date.now() - 86_400_000
    const written = (index: number, content: string, extra: Partial<Parameters<typeof makeMessage>[0]> = {}) =>
      makeMessage({ id: nextSnowflake(start + index * 1000), at: start + index * 1000, author: fakeUsers.alice, channelId: fakeIds.publicChannel, content, ...extra })
    const history = [
      written(1, 'ALICE-ORDINARY the release notes are up'),
      written(2, 'THREAD-NAME-NOT-WRITING release plan', { type: 18 }),
      written(3, 'PIN-NOTICE-NOT-WRITING', { type: 6 }),
      written(4, `<@${fakeIds.botUser}> QUESTION-FOR-THE-APP what changed?`, { mentions: [fakeUsers.bot] }),
    ]
    // Live, the system messages are not passed on at all.
    await harness.sendMessage(history[1]!)
    await harness.sendMessage(history[2]!)
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'ALICE-LIVE after the notices' }))
    await harness.waitForObserved(1)
    expect(harness.observed.map((entry) => entry.message.text)).toEqual(['ALICE-LIVE after the notices'])

    harness.fake.rest.seedMessages(fakeIds.publicChannel, history)
    const interaction = makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'learn-history', type: 1, options: [] }] })
    await harness.interact(interaction)
    const done = await harness.waitForEdit(interaction, (body) => String(body.content).startsWith('Done'))
    expect(done.content).toMatch(/^Done: learned from 1 of your messages/)
    const store = await harness.storeText()
    expect(store).toContain('ALICE-ORDINARY')
    expect(store).not.toMatch(/THREAD-NAME-NOT-WRITING|PIN-NOTICE-NOT-WRITING|QUESTION-FOR-THE-APP/)
  })

  it('tells a member who has not opted in to opt in first, and stores nothing', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    seedHistory(harness, 10, 0)
    const interaction = makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'learn-history', type: 1, options: [] }] })
    await harness.interact(interaction)
    const done = await harness.waitForEdit(interaction, (body) => String(body.content).startsWith('Done'))
    expect(done.content).toMatch(/Stopped early: you are not opted in/)
    expect(await harness.storeText()).not.toContain('ALICE-HISTORY')
  })
})
