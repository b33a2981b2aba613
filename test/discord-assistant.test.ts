// The personalized assistant on Discord (/ask, mentions, DMs) through the real discord.js client and the real core.
import { afterEach, describe, expect, it } from 'vitest'
import { defaultAnswerText, modelCallKind, promptText, startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeDirectChannel, makeMessage, makeUser } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { directChannelIdFor } from '../testing/fakes/fake-discord-rest.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const ask = (question: string, user = fakeUsers.alice) => makeSlashInteraction({ name: 'ask', user, options: [{ name: 'question', type: 3, value: question }] })
const answerRequests = (bot: DiscordTestBot) => bot.testCore.server.chatRequests().filter((request) => modelCallKind(request) === 'answer')

describe('Discord /ask', () => {
  it('on a hanging model the deferred reply says it is still working, then the timeout message replaces it', async () => {
    harness = await startDiscordTestBot({ stillWorkingAfterMs: 50, settings: { LLM_TIMEOUT_MS: '1500' }, model: { hangCompose: true } })
    await harness.enable()
    const interaction = ask('how do I rebase?')
    await harness.interact(interaction)

    await harness.waitForEdit(interaction, (body) => String(body.content).includes('Still working on it'))
    const failed = await harness.waitForEdit(interaction, (body) => String(body.content).includes('took too long'))
    expect(harness.lastEdit(interaction)).toEqual(failed)
  })

  it('on a slow model the still-working notice is replaced by the answer', async () => {
    let release!: () => void
    const modelHeld = new Promise<void>((resolve) => (release = resolve))
    harness = await startDiscordTestBot({ stillWorkingAfterMs: 50, model: { answer: async () => (await modelHeld, defaultAnswerText) } })
    await harness.enable()
    const interaction = ask('how do I rebase?')
    await harness.interact(interaction)

    await harness.waitForEdit(interaction, (body) => String(body.content).includes('Still working on it'))
    release()
    const edit = await harness.waitForEdit(interaction, (body) => String(body.content).includes(defaultAnswerText))
    expect(edit.content).not.toContain('Still working')
  })

  it('the interaction is deferred before a slow model finishes', async () => {
    let release!: () => void
    const modelMayAnswer = new Promise<void>((resolve) => (release = resolve))
    let modelStarted!: () => void
    const modelIsWorking = new Promise<void>((resolve) => (modelStarted = resolve))
    harness = await startDiscordTestBot({
      model: {
        answer: async () => {
          modelStarted()
          await modelMayAnswer
          return defaultAnswerText
        },
      },
    })
    await harness.enable()
    const interaction = ask('how do I rebase?')
    const callback = await harness.interact(interaction)
    // Deferred (type 5, ephemeral) while the model has not answered: nothing has edited the reply yet.
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } })
    await modelIsWorking
    expect(harness.lastEdit(interaction)).toBeUndefined()
    release()
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toContain(defaultAnswerText)
  })

  it('a non-opted-in member gets a plain answer with a one-line opt-in invitation', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const interaction = ask('how do I rebase?')
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    const lines = String(edit.content).split('\n')
    expect(lines[0]).toBe(defaultAnswerText)
    expect(lines.at(-1)).toMatch(/^-# .*[Oo]pt in.*`\/hyperalign optin`/)
    expect(await harness.storeText()).not.toContain('how do I rebase')
  })

  it("an opted-in member's answer is shaped by their own hypotheses, with no invitation", async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    await harness.testCore.core.editHypothesis(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice), {
      action: 'add',
      category: 'communication_strategy',
      statement: 'Prefers numbered steps over prose',
    })
    const interaction = ask('how do I rebase?')
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toBe(defaultAnswerText)
    expect(promptText(answerRequests(harness)[0]!)).toContain('Prefers numbered steps over prose')
  })

  it('content over 2,000 characters is split: the reply plus ephemeral follow-ups, nothing lost', async () => {
    const long = Array.from({ length: 30 }, (_, index) => `Step ${index + 1}: ${'do the thing carefully '.repeat(8).trim()}.`).join('\n\n')
    harness = await startDiscordTestBot({ model: { answer: () => long } })
    await harness.enable()
    const interaction = ask('explain everything')
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path.endsWith(`/${interaction.token}`) && String((call.body as { content?: string }).content).includes('-# '))
    const followUps = harness.followUps(interaction)
    const pieces = [String(edit.content), ...followUps.map((body) => String(body.content))]
    expect(pieces.length).toBeGreaterThan(1)
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(2000)
    for (const body of followUps) expect(body.flags).toBe(64)
    expect(pieces.join('\n\n').replace(/\s+/g, ' ')).toContain(long.replace(/\s+/g, ' '))
  })

  it('a question over MAX_INPUT_CHARS is refused cleanly, without calling the model', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const interaction = ask('why '.repeat(1100))
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toMatch(/the limit is 4000\. Shorten it/)
    expect(harness.testCore.server.chatRequests()).toHaveLength(0)
  })

  it('a refusal shows the rule, not the content', async () => {
    harness = await startDiscordTestBot({
      model: { answer: () => 'SECRET-ANSWER-TEXT with the private salary figures', refuse: (kind) => (kind === 'safety_output' ? ['W3'] : undefined) },
    })
    await harness.enable()
    const interaction = ask('what does bob earn?')
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toContain('`W3`')
    expect(JSON.stringify(harness.fake.rest.calls)).not.toContain('SECRET-ANSWER-TEXT')
  })
})

describe('Discord /ask in a DM with the bot', () => {
  it('answers as the member of the server the bot shares with them', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const channel = makeDirectChannel(directChannelIdFor(fakeIds.memberAlice), fakeUsers.alice)
    const interaction = makeSlashInteraction({ name: 'ask', user: fakeUsers.alice, guildId: null, channel, options: [{ name: 'question', type: 3, value: 'what is a rebase?' }] })
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    // Personalized (no invitation): the member was found in the shared server, where they opted in.
    expect(edit.content).toBe(defaultAnswerText)
  })

  it('tells a user who shares no server with the bot where to ask instead', async () => {
    harness = await startDiscordTestBot()
    const stranger = makeUser('100000000000000077', 'stranger')
    const interaction = makeSlashInteraction({ name: 'ask', user: stranger, guildId: null, channel: makeDirectChannel('920000000000000077', stranger), options: [{ name: 'question', type: 3, value: 'hello?' }] })
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toMatch(/could not find you in one\. Use \/ask inside your server/)
    expect(harness.fake.rest.callsTo('GET', /^\/guilds\/\d+\/members\/100000000000000077$/)).toHaveLength(1)
    expect(harness.testCore.server.chatRequests()).toHaveLength(0)
  })
})

describe('Discord mentions and DMs', () => {
  it('a mention in a server is answered privately by DM and is not learned from', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    await harness.sendMessage(
      makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: `<@${fakeIds.botUser}> how do I rebase?`, mentions: [fakeUsers.bot] }),
    )
    const directChannel = directChannelIdFor(fakeIds.memberAlice)
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${directChannel}/messages`)
    expect(harness.fake.rest.sentTo(directChannel)[0]!.content).toBe(defaultAnswerText)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(0)
    expect(harness.observed).toHaveLength(0)
    // The question reached the model without the mention markup.
    expect(promptText(answerRequests(harness)[0]!)).toContain('how do I rebase?')
    expect(promptText(answerRequests(harness)[0]!)).not.toContain(`<@${fakeIds.botUser}>`)
  })

  it('a mention delivered twice (a gateway resend, another shard) is answered once', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const mention = makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: `<@${fakeIds.botUser}> how do I rebase?`, mentions: [fakeUsers.bot] })
    await harness.sendMessage(mention)
    await harness.sendMessage(mention)
    const directChannel = directChannelIdFor(fakeIds.memberAlice)
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${directChannel}/messages`)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(harness.fake.rest.sentTo(directChannel)).toHaveLength(1)
    expect(answerRequests(harness)).toHaveLength(1)
  })

  it('when DMs are closed, the channel gets a pointer to /ask instead of the answer', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const directChannel = directChannelIdFor(fakeIds.memberBob)
    harness.fake.rest.failNext({ method: 'POST', path: new RegExp(`^/channels/${directChannel}/messages$`), status: 403, code: 50007, message: 'Cannot send messages to this user' })
    await harness.sendMessage(makeMessage({ author: fakeUsers.bob, channelId: fakeIds.publicChannel, content: `<@${fakeIds.botUser}> hi, what is a rebase?`, mentions: [fakeUsers.bot] }))
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${fakeIds.publicChannel}/messages`)
    const [pointer] = harness.fake.rest.sentTo(fakeIds.publicChannel)
    expect(pointer!.content).toMatch(/DMs are closed.*`\/ask`/)
    expect(pointer!.content).not.toContain(defaultAnswerText)
  })

  it('a DM is answered in the DM, from the shared server, and never reaches that server', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const directChannel = harness.fake.rest.openDirectChannel(fakeIds.memberAlice)
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: directChannel, guildId: null, content: 'DM-ONLY-MARKER: can you explain rebasing?' }))
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${directChannel}/messages`)
    expect(harness.fake.rest.sentTo(directChannel)[0]!.content).toBe(defaultAnswerText)
    expect(harness.observed).toHaveLength(0)
    const serverCalls = harness.fake.rest.calls.filter((call) => call.path.startsWith('/channels/') && !call.path.startsWith(`/channels/${directChannel}`))
    expect(JSON.stringify(serverCalls)).not.toContain('DM-ONLY-MARKER')
    expect(await harness.storeText()).not.toContain('DM-ONLY-MARKER')
  })
})
