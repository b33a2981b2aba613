// /hyperalign subcommands and the "Draft a reply in my voice" message shortcut, through signed requests to the real
// app on the real core. Asserts on the private replies and on what the core then holds.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds, shortcutIds } from '../adapters/slack/action-ids.js'
import { actionIdsIn, buttonValue, defaultDraftText, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { adminId, channelId, eventCallback, channelMessage, memberId, messageShortcut, otherMemberId, viewSubmission } from '../testing/fakes/fake-slack-payloads.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const profileOf = (app: SlackTestApp, userId = memberId) => app.testCore.core.profile(app.actor(userId), app.member(userId))

describe('/hyperalign', () => {
  it('prints help for help, nothing and unknown subcommands', async () => {
    harness = await startSlackTestApp()
    for (const text of ['help', '', 'toString', 'frobnicate']) {
      const { response } = await harness.command('/hyperalign', text)
      expect(visibleText(response.json)).toContain('/draft')
      expect(visibleText(response.json)).toContain('/hyperalign forget')
    }
  })

  it('opts in with a statement of what is stored, and opts out erasing everything', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    const optIn = await harness.command('/hyperalign', 'optin')
    const reply = await harness.waitForResponse(optIn.responseUrlId)
    expect(visibleText(reply.body)).toContain('You are opted in')
    expect(visibleText(reply.body)).toContain('Kept for:* 90 days')
    expect(actionIdsIn(reply.body.blocks)).toContain(actionIds.backfill)
    expect((await profileOf(harness)).optedIn).toBe(true)

    await harness.send(eventCallback(channelMessage({ text: 'a message to erase', ts: '1700006000.000100' })))
    await expect.poll(async () => (await profileOf(harness!)).historySize).toBe(1)

    const optOut = await harness.command('/hyperalign', 'optout')
    expect(visibleText((await harness.waitForResponse(optOut.responseUrlId)).body)).toContain('Erased 1 messages')
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('tells a member that opting in waits for an admin to switch the bot on', async () => {
    harness = await startSlackTestApp()
    const { responseUrlId } = await harness.command('/hyperalign', 'optin')
    expect(visibleText((await harness.waitForResponse(responseUrlId)).body)).toContain('switched off')
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('shows the profile privately', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    await harness.testCore.core.editHypothesis(harness.actor(memberId), harness.member(memberId), { action: 'add', category: 'personality', statement: 'direct and friendly' })
    const { responseUrlId } = await harness.command('/hyperalign', 'profile')
    const reply = await harness.waitForResponse(responseUrlId)
    expect(reply.body.response_type).toBe('ephemeral')
    expect(visibleText(reply.body)).toContain('direct and friendly')
  })

  it('asks for confirmation before forgetting, and cancel keeps everything', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/hyperalign', 'forget')
    const confirm = await harness.waitForResponse(responseUrlId)
    expect(actionIdsIn(confirm.body.blocks)).toEqual([actionIds.forgetConfirm, actionIds.forgetCancel])
    expect((await profileOf(harness)).optedIn).toBe(true)

    await harness.click({ actionId: actionIds.forgetCancel, value: 'reply', responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => body.delete_original === true)
    expect((await profileOf(harness)).optedIn).toBe(true)

    await harness.click({ actionId: actionIds.forgetConfirm, value: 'reply', responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('You are opted out'))
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('refuses admin subcommands from a non-admin and changes nothing', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    for (const text of ['admin off', 'admin retention 1', 'admin status']) {
      const { responseUrlId } = await harness.command('/hyperalign', text)
      expect(visibleText((await harness.waitForResponse(responseUrlId)).body)).toContain('Only a workspace admin can do that')
    }
    const policy = await harness.testCore.core.admin.policy(harness.actor(adminId, true), harness.member(adminId))
    expect(policy.enabled && policy.retentionDays).toBe(90)
  })

  it('runs admin subcommands for an admin, parsing escaped channels and users', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(otherMemberId)
    const channels = await harness.command('/hyperalign', 'admin channels <#C00FAKECHAN1|general> <#C00FAKECHAN2>', { userId: adminId })
    expect(visibleText((await harness.waitForResponse(channels.responseUrlId)).body)).toContain('<#C00FAKECHAN1>, <#C00FAKECHAN2>')

    const optOut = await harness.command('/hyperalign', `admin optout <@${otherMemberId}|other>`, { userId: adminId })
    expect(visibleText((await harness.waitForResponse(optOut.responseUrlId)).body)).toContain('Opted the member out')
    expect(await harness.storedAbout(otherMemberId)).toEqual([])

    const bad = await harness.command('/hyperalign', 'admin retention forever', { userId: adminId })
    expect(visibleText((await harness.waitForResponse(bad.responseUrlId)).body)).toContain('whole days')

    const status = await harness.command('/hyperalign', 'admin', { userId: adminId })
    const text = visibleText((await harness.waitForResponse(status.responseUrlId)).body)
    expect(text).toContain('hyperalign is on')
    expect(text).toContain('Opted-in members: 0')
  })
})

describe('Draft a reply in my voice (message shortcut)', () => {
  it('reads the thread as context and drafts a reply that Post puts into the thread', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    harness.slack.replies.set(`${channelId}:1700007000.000100`, [
      { type: 'message', user: otherMemberId, text: 'can someone review PR 42 today?', ts: '1700007000.000100', thread_ts: '1700007000.000100' },
      { type: 'message', user: memberId, text: 'looking at it after lunch', ts: '1700007001.000100', thread_ts: '1700007000.000100' },
      { type: 'message', user: otherMemberId, text: 'thanks! any blockers so far?', ts: '1700007002.000100', thread_ts: '1700007000.000100' },
    ])

    await harness.send(messageShortcut({ callbackId: shortcutIds.draftReply, responseUrl: harness.slack.responseUrl('shortcut'), message: { user: otherMemberId, text: 'thanks! any blockers so far?', ts: '1700007002.000100', thread_ts: '1700007000.000100' } }))
    const opened = await harness.slack.waitFor('views.open')
    const view = opened.body.view as { callback_id: string; private_metadata: string }
    expect(view.callback_id).toBe('hyperalign_reply_intent')

    await harness.send(viewSubmission({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { intent: { intent_input: { type: 'plain_text_input', value: 'no blockers, approve by 3pm' } } } }))
    const shown = await harness.waitForResponse('shortcut', (body) => actionIdsIn(body.blocks).includes(actionIds.draftPost))
    expect(visibleText(shown.body)).toContain(defaultDraftText)
    expect(harness.slack.callsTo('conversations.replies')[0]?.body).toMatchObject({ channel: channelId, ts: '1700007000.000100' })
    const prompt = JSON.stringify(harness.modelCalls('draft')[0]?.body.messages)
    expect(prompt).toContain('can someone review PR 42 today?')
    expect(prompt).toContain('no blockers, approve by 3pm')

    await harness.click({ actionId: actionIds.draftPost, value: buttonValue(shown.body.blocks, actionIds.draftPost), responseUrlId: 'shortcut' })
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(posted.body).toMatchObject({ channel: channelId, thread_ts: '1700007000.000100' })
  })
})
