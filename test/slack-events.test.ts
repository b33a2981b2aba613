// Learning from Slack: message events reach the core's observe path once, edits and deletions are mirrored, bots
// and DMs are not learned from, and a requested backfill honours 429 + Retry-After, the budget and shows progress.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { blockAction, channelId, channelMessage, eventCallback, memberId, otherMemberId } from '../testing/fakes/fake-slack-payloads.js'
import type { SlackMessageFixture } from '../testing/fakes/fake-slack-web-api.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

async function readyHarness(settings: Record<string, string> = {}): Promise<SlackTestApp> {
  const started = await startSlackTestApp({ settings })
  await started.enable()
  await started.optIn(memberId)
  return started
}

const historySize = async (app: SlackTestApp, userId = memberId) => (await app.testCore.core.profile(app.actor(userId), app.member(userId))).historySize

describe('Slack message events', () => {
  it('processes a retried event once', async () => {
    harness = await readyHarness()
    const event = eventCallback(channelMessage({ text: 'shipping the fix now, will report back', ts: '1700001000.000100' }), 'Ev00RETRY01')

    expect((await harness.send(event)).status).toBe(200)
    expect((await harness.send(event, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200)
    expect((await harness.send(event, { retryNum: 2, retryReason: 'http_error' })).status).toBe(200)

    await expect.poll(() => historySize(harness!)).toBe(1)
    const stored = (await harness.storedAbout(memberId)).filter((line) => line.startsWith('history ') && line.includes('shipping the fix'))
    expect(stored).toHaveLength(1)
  })

  it('mirrors edits and deletions', async () => {
    harness = await readyHarness()
    await harness.send(eventCallback(channelMessage({ text: 'the build is grene', ts: '1700002000.000100' })))
    await expect.poll(() => historySize(harness!)).toBe(1)

    await harness.send(
      eventCallback({ type: 'message', subtype: 'message_changed', channel: channelId, channel_type: 'channel', hidden: true, ts: '1700002001.000100', message: { type: 'message', user: memberId, text: 'the build is green', ts: '1700002000.000100', edited: { user: memberId, ts: '1700002001.000100' } }, previous_message: { type: 'message', user: memberId, text: 'the build is grene', ts: '1700002000.000100' } }),
    )
    await expect.poll(async () => (await harness!.storedAbout(memberId)).some((line) => line.includes('the build is green'))).toBe(true)
    expect((await harness.storedAbout(memberId)).some((line) => line.includes('grene'))).toBe(false)

    await harness.send(eventCallback({ type: 'message', subtype: 'message_deleted', channel: channelId, channel_type: 'channel', hidden: true, ts: '1700002002.000100', deleted_ts: '1700002000.000100', previous_message: { type: 'message', user: memberId, text: 'the build is green', ts: '1700002000.000100' } }))
    await expect.poll(() => historySize(harness!)).toBe(0)
    expect((await harness.storedAbout(memberId)).some((line) => line.includes('the build is green'))).toBe(false)
  })

  it('deletes a thread parent that Slack turns into a tombstone', async () => {
    harness = await readyHarness()
    await harness.send(eventCallback(channelMessage({ text: 'who can take the release notes?', ts: '1700002500.000100' })))
    await expect.poll(() => historySize(harness!)).toBe(1)
    // Deleting a parent that has replies leaves a tombstone in its place: a message_changed, not a message_deleted.
    await harness.send(
      eventCallback({ type: 'message', subtype: 'message_changed', channel: channelId, channel_type: 'channel', hidden: true, ts: '1700002501.000100', message: { type: 'message', subtype: 'tombstone', user: 'USLACKBOT', text: 'This message was deleted.', hidden: true, ts: '1700002500.000100', thread_ts: '1700002500.000100', reply_count: 1 }, previous_message: { type: 'message', user: memberId, text: 'who can take the release notes?', ts: '1700002500.000100' } }),
    )
    await expect.poll(() => historySize(harness!)).toBe(0)
    expect((await harness.storedAbout('')).join('\n')).not.toContain('This message was deleted')
  })

  it('does not learn from bots, the app itself, direct messages or members who did not opt in', async () => {
    harness = await readyHarness()
    await harness.send(eventCallback(channelMessage({ text: 'bot says hi', ts: '1700003000.000100', botId: 'B00OTHERBOT1', subtype: 'bot_message' })))
    await harness.send(eventCallback(channelMessage({ text: 'my own app message', ts: '1700003001.000100', userId: 'U00FAKEBOT01', botId: 'B00FAKEBOT01' })))
    await harness.send(eventCallback(channelMessage({ text: 'a private note in a DM', ts: '1700003002.000100', channelId: 'D00FAKEDM001', channelType: 'im' })))
    await harness.send(eventCallback(channelMessage({ text: 'from someone who never opted in', ts: '1700003003.000100', userId: otherMemberId })))
    await harness.send(eventCallback(channelMessage({ text: 'this one counts', ts: '1700003004.000100' })))

    const handled = (event: string) => harness!.logs.filter((line) => line.event === event).length
    await expect.poll(() => handled('slack_message_observed')).toBe(3)
    await expect.poll(() => handled('slack_message_skipped')).toBe(1)
    expect(await historySize(harness)).toBe(1)
    const everything = (await harness.storedAbout('')).join('\n')
    expect(everything).not.toContain('a private note in a DM')
    expect(everything).not.toContain('bot says hi')
    expect(everything).not.toContain('my own app message')
    expect(await harness.storedAbout(otherMemberId)).toEqual([])
  })

  it('a 1 MB message is acknowledged and not stored, as too long to learn from (MAX_MESSAGE_CHARS); the next ordinary one is', async () => {
    harness = await readyHarness()
    const pasted = 'PASTED-LOG-START ' + 'ERROR worker 7 lost its lease and retried\n'.repeat(25_000)
    expect(pasted.length).toBeGreaterThan(1_000_000)
    expect((await harness.send(eventCallback(channelMessage({ text: pasted, ts: '1700009000.000100' })))).status).toBe(200)
    await harness.send(eventCallback(channelMessage({ text: 'sorry for the wall of text', ts: '1700009001.000100' })))
    await expect.poll(() => harness!.logs.filter((line) => line.event === 'slack_message_observed').length).toBe(2)
    expect(harness.logs.filter((line) => line.event === 'slack_message_observed').map((line) => line.fields.reason)).toContain('too_long')
    expect(await historySize(harness)).toBe(1)
    expect((await harness.storedAbout('')).join('\n')).not.toContain('PASTED-LOG-START')
  })

  it('does not learn in channels an admin has not enabled', async () => {
    harness = await startSlackTestApp()
    await harness.enable(['C00OTHERCHAN'])
    await harness.optIn(memberId)
    await harness.send(eventCallback(channelMessage({ text: 'not in an enabled channel', ts: '1700004000.000100' })))
    await harness.send(eventCallback(channelMessage({ text: 'in the enabled channel', ts: '1700004001.000100', channelId: 'C00OTHERCHAN' })))
    await expect.poll(() => historySize(harness!)).toBe(1)
    expect((await harness.storedAbout(memberId)).join('\n')).not.toContain('not in an enabled channel')
  })
})

function historyFixture(count: number, ownEvery: number): SlackMessageFixture[] {
  const messages: SlackMessageFixture[] = []
  const base = Math.floor(Date.now() / 1000) - 86_400
  for (let index = 0; index < count; index += 1) {
    const own = index % ownEvery === 0
    messages.push({ type: 'message', user: own ? memberId : otherMemberId, text: `${own ? 'mine' : 'theirs'} number ${index}`, ts: `${base - index}.000100` })
  }
  messages.push({ type: 'message', subtype: 'channel_join', user: memberId, text: 'has joined the channel', ts: `${base - count}.000100` })
  return messages
}

describe('Slack backfill', () => {
  it('learns from the member’s recent messages, waits out a 429 with Retry-After, and shows progress', async () => {
    harness = await readyHarness()
    harness.slack.historyPageLimit = 10
    harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, historyFixture(40, 2))
    harness.slack.rateLimit('conversations.history', 1, 7)

    await harness.send(blockAction({ actionId: actionIds.backfill, value: 'reply', responseUrl: harness.slack.responseUrl('backfill') }))
    await harness.waitForResponse('backfill', (body) => visibleText(body).includes('Learning from your recent messages'))
    await harness.app.idle()

    expect(await historySize(harness)).toBe(20)
    expect(harness.slack.callsTo('conversations.history:rate_limited')).toHaveLength(1)
    const progress = [...harness.slack.callsTo('chat.postMessage'), ...harness.slack.callsTo('chat.update')].map((call) => String(call.body.text))
    expect(progress.some((text) => text.includes('continuing in 7 s'))).toBe(true)
    expect(progress.at(-1)).toContain('Learned from 20 of 20 messages')
    expect((await harness.storedAbout(memberId)).join('\n')).not.toContain('theirs number')
  })

  it('stops at SLACK_BACKFILL_MAX_MESSAGES', async () => {
    harness = await readyHarness({ SLACK_BACKFILL_MAX_MESSAGES: '5' })
    harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, historyFixture(40, 2))
    await harness.send(blockAction({ actionId: actionIds.backfill, value: 'reply', responseUrl: harness.slack.responseUrl('backfill') }))
    await harness.waitForResponse('backfill')
    await harness.app.idle()

    expect(await historySize(harness)).toBe(5)
    const progress = [...harness.slack.callsTo('chat.postMessage'), ...harness.slack.callsTo('chat.update')].map((call) => String(call.body.text))
    expect(progress.at(-1)).toContain('Learned from 5 of 5 messages')
  })

  it('learns only in enabled channels and does not read the others', async () => {
    harness = await startSlackTestApp()
    await harness.enable([channelId])
    await harness.optIn(memberId)
    harness.slack.historyPageLimit = 5
    harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, historyFixture(6, 2))
    harness.slack.addChannel({ id: 'C00FAKECHAN2', name: 'random', is_member: true }, historyFixture(30, 1))
    await harness.send(blockAction({ actionId: actionIds.backfill, value: 'reply', responseUrl: harness.slack.responseUrl('backfill') }))
    await harness.waitForResponse('backfill')
    await harness.app.idle()

    expect(await historySize(harness)).toBe(3)
    expect(harness.slack.callsTo('conversations.history').filter((call) => call.body.channel === 'C00FAKECHAN2')).toHaveLength(0)
  })

  it('reads only the enabled channels for an admin too', async () => {
    harness = await startSlackTestApp()
    await harness.enable([channelId])
    await harness.optIn('U00FAKEADMIN')
    const adminMessages = historyFixture(4, 1).map((message) => ({ ...message, user: message.user === memberId ? 'U00FAKEADMIN' : message.user }))
    harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, adminMessages)
    harness.slack.addChannel({ id: 'C00FAKECHAN2', name: 'random', is_member: true }, adminMessages)
    await harness.send(blockAction({ actionId: actionIds.backfill, value: 'reply', userId: 'U00FAKEADMIN', responseUrl: harness.slack.responseUrl('backfill') }))
    await harness.waitForResponse('backfill')
    await harness.app.idle()

    expect(await historySize(harness, 'U00FAKEADMIN')).toBe(4)
    expect(harness.slack.callsTo('conversations.history').map((call) => call.body.channel)).toEqual([channelId])
  })

  it('does not read history for a member who has not opted in', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, historyFixture(10, 1))
    await harness.send(blockAction({ actionId: actionIds.backfill, value: 'reply', responseUrl: harness.slack.responseUrl('backfill') }))
    await harness.waitForResponse('backfill')
    await harness.app.idle()

    expect(harness.slack.callsTo('conversations.history')).toHaveLength(0)
    expect(await harness.storedAbout(memberId)).toEqual([])
  })
})
