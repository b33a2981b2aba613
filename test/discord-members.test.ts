// /hyperalign for members on Discord: opt in and out, the profile (hypotheses with evidence and confidence, each
// correctable, pinnable, deletable; measured style), and forget with confirmation, all shown only to the member.
import { afterEach, describe, expect, it } from 'vitest'
import { buttonsOf, startDiscordTestBot, type DiscordTestBot, type EditBody } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeMessage } from '../testing/fakes/fake-discord-payloads.js'
import { makeModalSubmitInteraction, makeSelectInteraction, makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'

let harness: DiscordTestBot | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const member = (subcommand: string, user = fakeUsers.alice) => makeSlashInteraction({ name: 'hyperalign', user, options: [{ name: subcommand, type: 1, options: [] }] })

async function run(bot: DiscordTestBot, interaction: ReturnType<typeof member>) {
  const callback = await bot.interact(interaction)
  expect(callback.body).toEqual({ type: 5, data: { flags: 64 } })
  return bot.waitForEdit(interaction)
}

const carrierFor = (edit: EditBody) => ({ ...makeMessage({ author: fakeUsers.bot, channelId: fakeIds.publicChannel, content: '' }), flags: 64, embeds: edit.embeds ?? [], components: edit.components ?? [] })

describe('Discord /hyperalign', () => {
  it('optin records consent and states what is kept and for how long; optout erases everything', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    const optedIn = await run(harness, member('optin'))
    expect(optedIn.embeds![0]!.title).toBe('You are opted in')
    expect(optedIn.embeds![0]!.description).toMatch(/kept for 90 days/)
    expect([...buttonsOf(optedIn).keys()]).toEqual(['Learn from my recent messages'])
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'OPTOUT-MARKER first message' }))
    await harness.waitForObserved(1)
    const optedOut = await run(harness, member('optout'))
    expect(optedOut.content).toMatch(/^You are opted out\. Erased 1 messages/)
    const store = await harness.storeText()
    expect(store).not.toContain('OPTOUT-MARKER')
    expect(store).not.toContain(fakeIds.memberAlice)
  })

  it('optin while the bot is off in the server says an admin must switch it on', async () => {
    harness = await startDiscordTestBot()
    const edit = await run(harness, member('optin'))
    expect(edit.content).toMatch(/switched off in this workspace\. A workspace admin can switch it on/)
  })

  it('profile shows hypotheses with evidence and confidence and the measured style; each can be corrected, pinned and deleted', async () => {
    harness = await startDiscordTestBot({
      model: {
        learn: () => ({ hypotheses: [{ id: null, category: 'communication_strategy', statement: 'Announces changes before making them', evidence: ['m1', 'm2'], confidence: 0.7 }] }),
      },
    })
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    for (const text of ['heads up: deploy at 5, shout if that clashes', 'heads up: moving the standup to 10 tomorrow', 'heads up: db maintenance tonight']) {
      await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: text }))
    }
    await harness.waitForObserved(3)
    const core = harness.testCore.core
    await core.learn(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice))

    const profile = await run(harness, member('profile'))
    const strategies = profile.embeds![0]!.fields!.find((field) => field.name === 'Communication strategies')!.value
    expect(strategies).toMatch(/^• Announces changes before making them \(70% confident\)\n {2}↳ “heads up: /)
    expect(profile.embeds![1]!.title).toBe('Your measured style')
    expect(profile.embeds![1]!.description).toBe('From 3 messages.')
    const select = profile.components![0]!.components[0]!
    expect(select.type).toBe(3)

    const hypothesisId = (await core.profile(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice))).hypotheses[0]!.id
    const chosen = makeSelectInteraction({ customId: select.custom_id!, values: [hypothesisId], user: fakeUsers.alice, message: carrierFor(profile) })
    await harness.interact(chosen)
    const detail = await harness.waitForEdit(chosen)
    expect([...buttonsOf(detail).keys()]).toEqual(['Correct', 'Pin', 'Delete', 'Back to profile'])
    expect(detail.embeds![0]!.fields!.find((field) => field.name === 'Evidence from your messages')!.value).toMatch(/^> heads up: /)

    const correct = await harness.click(detail, 'Correct')
    const modal = correct.callback.body as { type: number; data: { custom_id: string; components: { component: { value?: string } }[] } }
    expect(modal.type).toBe(9)
    expect(modal.data.components[0]!.component.value).toBe('Announces changes before making them')
    const submit = makeModalSubmitInteraction({ customId: modal.data.custom_id, user: fakeUsers.alice, fields: { statement: 'Announces every change a day ahead' }, message: carrierFor(detail) })
    await harness.interact(submit)
    const corrected = await harness.waitForEdit(submit)
    expect(corrected.embeds![0]!.description).toBe('Announces every change a day ahead')
    // A corrected hypothesis becomes the member's own and is pinned, so the next control offered is Unpin.
    expect(corrected.embeds![0]!.fields!.find((field) => field.name === 'Source')!.value).toBe('written by you')

    const unpinned = await harness.click(corrected, 'Unpin')
    expect((await harness.waitForEdit(unpinned.payload)).embeds![0]!.fields!.find((field) => field.name === 'Pinned')!.value).toBe('no')
    const deleted = await harness.click(corrected, 'Delete')
    await harness.waitForEdit(deleted.payload)
    expect((await core.profile(harness.actor(fakeIds.memberAlice), harness.member(fakeIds.memberAlice))).hypotheses).toHaveLength(0)
  })

  it('forget asks first; Cancel erases nothing; confirming erases every record of the member', async () => {
    harness = await startDiscordTestBot()
    await harness.enable()
    await harness.optIn(fakeIds.memberAlice)
    await harness.sendMessage(makeMessage({ author: fakeUsers.alice, channelId: fakeIds.publicChannel, content: 'FORGET-MARKER remember me' }))
    await harness.waitForObserved(1)
    const confirmation = await run(harness, member('forget'))
    expect(confirmation.embeds![0]!.title).toBe('Forget everything about you?')
    expect(await harness.storeText()).toContain('FORGET-MARKER')

    const cancelled = await harness.click(confirmation, 'Cancel')
    expect((await harness.waitForEdit(cancelled.payload)).content).toBe('Cancelled. Nothing was erased.')
    expect(await harness.storeText()).toContain('FORGET-MARKER')

    const confirmed = await harness.click(confirmation, 'Yes, forget me')
    expect((await harness.waitForEdit(confirmed.payload)).content).toMatch(/^Forgotten\. Erased 1 messages/)
    const store = await harness.storeText()
    expect(store).not.toContain('FORGET-MARKER')
    expect(store).not.toContain(fakeIds.memberAlice)
  })
})
