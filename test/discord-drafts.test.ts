// /draft and "Draft a reply in my voice" on Discord: ephemeral drafts, and Post / Edit / Regenerate / Discard, through
// the real discord.js client and the real core. Nothing may reach a channel before the member's click.
import { afterEach, describe, expect, it } from 'vitest'
import { buttonsOf, defaultDraftText, modelCallKind, promptText, startDiscordTestBot, type DiscordTestBot, type EditBody } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeMessage } from '../testing/fakes/fake-discord-payloads.js'
import { makeMessageCommandInteraction, makeModalSubmitInteraction, makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const draft = (intent: string, user = fakeUsers.alice) => makeSlashInteraction({ name: 'draft', user, options: [{ name: 'intent', type: 3, value: intent }] })
const drafts = (bot: DiscordTestBot) => bot.testCore.server.chatRequests().filter((request) => modelCallKind(request) === 'draft')

async function readyBot(model: Parameters<typeof startDiscordTestBot>[0] = {}) {
  const bot = await startDiscordTestBot(model)
  await bot.enable()
  await bot.optIn(fakeIds.memberAlice)
  return bot
}

async function draftFor(bot: DiscordTestBot, intent = 'tell the team the deploy moves to friday'): Promise<EditBody> {
  const interaction = draft(intent)
  const callback = await bot.interact(interaction)
  expect(callback.body).toEqual({ type: 5, data: { flags: 64 } })
  return bot.waitForEdit(interaction)
}

describe('Discord /draft', () => {
  it('on a slow model the deferred reply says it is still working, then the draft replaces it', async () => {
    let release!: () => void
    const modelHeld = new Promise<void>((resolve) => (release = resolve))
    harness = await startDiscordTestBot({ stillWorkingAfterMs: 50, model: { draft: async () => (await modelHeld, defaultDraftText) } })
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    const interaction = draft('tell the team the deploy moves to friday')
    await harness.interact(interaction)

    const notice = await harness.waitForEdit(interaction, (body) => String(body.content).includes('Still working on it'))
    expect(notice.embeds ?? []).toEqual([])
    release()
    const edit = await harness.waitForEdit(interaction, (body) => Boolean(body.embeds?.length))
    expect(edit.content).toBe('')
    expect(edit.embeds![0]!.description).toBe(defaultDraftText)
    expect(harness.lastEdit(interaction)).toEqual(edit)
  })

  it('shows an ephemeral draft with its style match and Post / Edit / Regenerate / Discard, and posts nothing', async () => {
    harness = await readyBot()
    const edit = await draftFor(harness)
    expect(edit.embeds![0]!.description).toBe(defaultDraftText)
    expect(edit.embeds![0]!.fields!.find((field) => field.name === 'Style match')).toBeDefined()
    expect([...buttonsOf(edit).keys()]).toEqual(['Post', 'Edit', 'Regenerate', 'Discard'])
    expect(harness.fake.rest.callsTo('POST', /^\/channels\/\d+\/messages$/)).toHaveLength(0)
  })

  it('posts only on the Post click, once, labelled as AI-drafted on the member’s behalf, without pinging anyone', async () => {
    harness = await readyBot()
    const edit = await draftFor(harness)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(0)
    const { payload, callback } = await harness.click(edit, 'Post')
    expect(callback.body).toEqual({ type: 6 })
    const notice = await harness.waitForEdit(payload, (body) => String(body.embeds?.[0]?.description).startsWith('Posted'))
    expect(notice.components).toEqual([])
    const [posted] = harness.fake.rest.sentTo(fakeIds.publicChannel)
    expect(posted!.content).toBe(`${defaultDraftText}\n-# AI-drafted with hyperalign, on behalf of <@${fakeIds.memberAlice}>`)
    expect(posted!.allowed_mentions).toEqual({ parse: [] })

    // A second click (or a replayed interaction) posts nothing more.
    const again = await harness.click(edit, 'Post')
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path.endsWith(`/${again.payload.token}`))
    expect(harness.followUps(again.payload)[0]!.content).toMatch(/already posted or discarded/)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(1)
  })

  it('Edit opens a modal prefilled with the draft; submitting checks and posts the edited text', async () => {
    harness = await readyBot()
    const edit = await draftFor(harness)
    const { callback } = await harness.click(edit, 'Edit')
    const modal = callback.body as { type: number; data: { custom_id: string; components: { component: { value: string } }[] } }
    expect(modal.type).toBe(9)
    expect(modal.data.components[0]!.component.value).toBe(defaultDraftText)
    const carrier = { ...makeMessage({ author: fakeUsers.bot, channelId: fakeIds.publicChannel, content: '' }), flags: 64 }
    const submit = makeModalSubmitInteraction({ customId: modal.data.custom_id, user: fakeUsers.alice, fields: { text: 'EDITED: deploy is friday, sorry folks' }, message: carrier })
    const submitted = await harness.interact(submit)
    expect(submitted.body).toEqual({ type: 6 })
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${fakeIds.publicChannel}/messages`)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)[0]!.content).toMatch(/^EDITED: deploy is friday, sorry folks\n-# AI-drafted/)
    const outputChecks = harness.testCore.server.chatRequests().filter((request) => modelCallKind(request) === 'safety_output')
    expect(promptText(outputChecks.at(-1)!)).toContain('EDITED: deploy is friday')
  })

  it('Regenerate drafts again from the stored request and replaces the buttons; Discard posts nothing', async () => {
    let count = 0
    harness = await readyBot({ model: { draft: () => `version ${++count}` } })
    const edit = await draftFor(harness)
    expect(edit.embeds![0]!.description).toBe('version 1')
    const regenerated = await harness.click(edit, 'Regenerate')
    const second = await harness.waitForEdit(regenerated.payload, (body) => body.embeds?.[0]?.description === 'version 2')
    expect(buttonsOf(second).get('Post')).not.toBe(buttonsOf(edit).get('Post'))
    expect(promptText(drafts(harness)[1]!)).toContain('tell the team the deploy moves to friday')

    const discarded = await harness.click(second, 'Discard')
    const notice = await harness.waitForEdit(discarded.payload)
    expect(notice.embeds![0]!.description).toMatch(/Discarded\. Nothing was posted/)
    // The discarded draft cannot be posted afterwards.
    const late = await harness.click(second, 'Post')
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path.endsWith(`/${late.payload.token}`))
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(0)
  })

  it('a refusal shows the rule, not the content', async () => {
    harness = await readyBot({ model: { draft: () => 'SECRET-DRAFT-TEXT promising a 20% raise', refuse: (kind) => (kind === 'safety_output' ? ['W2'] : undefined) } })
    const edit = await draftFor(harness, 'promise everyone a raise')
    expect(edit.embeds![0]!.title).toMatch(/safety check refused/)
    expect(edit.embeds![0]!.fields!.find((field) => field.name === 'Rule')!.value).toBe('`W2`')
    expect(edit.components).toEqual([])
    expect(JSON.stringify(harness.fake.rest.calls)).not.toContain('SECRET-DRAFT-TEXT')
  })

  it('an intent over MAX_INPUT_CHARS is refused cleanly, without calling the model', async () => {
    harness = await readyBot()
    const edit = await draftFor(harness, 'x'.repeat(4500))
    expect(edit.content).toMatch(/That is 4500 characters; the limit is 4000/)
    expect(harness.testCore.server.chatRequests()).toHaveLength(0)
  })

  it('a draft over 2,000 characters is posted as several messages, each within the limit and each labelled as AI-drafted, together exactly the text shown', async () => {
    const long = Array.from({ length: 12 }, (_, index) => `Point ${index + 1}: ${'we should ship the fix carefully '.repeat(7).trim()}.`).join('\n\n')
    harness = await readyBot({ model: { draft: () => long } })
    const edit = await draftFor(harness)
    const shown = edit.embeds![0]!.description!
    expect(shown).toBe(long)
    const { payload } = await harness.click(edit, 'Post')
    await harness.waitForEdit(payload, (body) => String(body.embeds?.[0]?.description).startsWith('Posted'))
    const posted = harness.fake.rest.sentTo(fakeIds.publicChannel).map((message) => message.content!)
    expect(posted.length).toBeGreaterThan(1)
    for (const [index, content] of posted.entries()) {
      expect(content.length).toBeLessThanOrEqual(2000)
      expect(content.split('\n').at(-1)).toBe(`-# AI-drafted with hyperalign, on behalf of <@${fakeIds.memberAlice}> (${index + 1}/${posted.length})`)
    }
    const words = (text: string) => text.replace(/\s+/g, ' ').trim()
    expect(words(posted.map((content) => content.split('\n').slice(0, -1).join('\n')).join('\n'))).toBe(words(shown))
  })

  it('a draft longer than Discord can show (4,096 characters) cannot be posted: Post is disabled, the draft says why, and a Post click posts nothing', async () => {
    const tooLong = Array.from({ length: 30 }, (_, index) => `Point ${index + 1}: ${'we should ship the fix carefully '.repeat(5).trim()}.`).join('\n\n').slice(0, 4798) + '!'
    expect(tooLong.length).toBe(4799)
    harness = await readyBot({ model: { draft: () => tooLong } })
    const edit = await draftFor(harness)
    expect(edit.embeds![0]!.description!.length).toBeLessThanOrEqual(4096)
    const post = edit.components![0]!.components.find((component) => component.label === 'Post')!
    expect(post.disabled).toBe(true)
    expect(edit.embeds![0]!.footer!.text).toMatch(/4,799 characters.*at most 4,096.*cannot be posted/)

    // A click on the disabled button (an old client, or a replay) is refused the same way.
    const click = await harness.click(edit, 'Post')
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path.endsWith(`/${click.payload.token}`))
    expect(harness.followUps(click.payload)[0]!.content).toMatch(/longer than Discord can show/)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(0)
  })

  it('a member who has not opted in gets the opt-in button, not a draft, and nothing is stored', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const interaction = draft('tell the team hi', fakeUsers.bob)
    await harness.interact(interaction)
    const edit = await harness.waitForEdit(interaction)
    expect(edit.content).toMatch(/needs your opt-in first/)
    expect([...buttonsOf(edit).keys()]).toEqual(['Opt in'])
    expect(await harness.storeText()).not.toContain(fakeIds.memberBob)
  })

  it('another member cannot post someone’s draft by replaying its button', async () => {
    harness = await readyBot()
    await harness.optIn(fakeIds.memberBob)
    const edit = await draftFor(harness)
    const forged = await harness.click(edit, 'Post', fakeUsers.bob)
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path.endsWith(`/${forged.payload.token}`))
    expect(harness.followUps(forged.payload)[0]!.content).toMatch(/expired or was already used/)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)).toHaveLength(0)
  })
})

describe('Discord "Draft a reply in my voice"', () => {
  it('asks for an optional intent, drafts with the message as context, and posts as a reply on click', async () => {
    harness = await readyBot()
    const target = makeMessage({ author: fakeUsers.bob, channelId: fakeIds.publicChannel, content: 'CONTEXT-MARKER: can someone review my PR today?' })
    harness.fake.rest.seedMessages(fakeIds.publicChannel, [target])
    const command = makeMessageCommandInteraction({ name: 'Draft a reply in my voice', user: fakeUsers.alice, target })
    const callback = await harness.interact(command)
    const modal = callback.body as { type: number; data: { custom_id: string } }
    expect(modal.type).toBe(9)
    const submit = makeModalSubmitInteraction({ customId: modal.data.custom_id, user: fakeUsers.alice, fields: { intent: '' } })
    const deferred = await harness.interact(submit)
    expect(deferred.body).toEqual({ type: 5, data: { flags: 64 } })
    const edit = await harness.waitForEdit(submit)
    expect(edit.embeds![0]!.title).toBe('Reply drafted in your voice')
    expect(promptText(drafts(harness)[0]!)).toContain('CONTEXT-MARKER')
    await harness.click(edit, 'Post')
    await harness.fake.rest.waitForCall((call) => call.method === 'POST' && call.path === `/channels/${fakeIds.publicChannel}/messages`)
    expect(harness.fake.rest.sentTo(fakeIds.publicChannel)[0]!.message_reference).toMatchObject({ message_id: target.id })
  })
})
