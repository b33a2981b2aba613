// Slack's assistant pane end to end: the real Bolt app with its Assistant middleware on the real core, fed signed
// assistant_thread_started, assistant_thread_context_changed and message.im events; asserts on what reached the fake
// Slack (suggested prompts, status, blocks in the thread, posts) and the fake model, and on what was stored.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { assistantPrompts, replyIntent } from '../adapters/slack/assistant-requests.js'
import { draftingStatus } from '../adapters/slack/assistant-pane.js'
import { decodeDraftTarget } from '../adapters/slack/draft-target.js'
import { actionIdsIn, buttonValue, defaultDraftText, startSlackTestApp, visibleText, type SlackTestApp, type SlackTestAppOptions } from '../testing/fakes/fake-slack-app-harness.js'
import { assistantChannelId, assistantMessage, assistantThreadEvent, channelId, eventCallback, memberId, otherMemberId } from '../testing/fakes/fake-slack-payloads.js'
import type { RecordedSlackCall } from '../testing/fakes/fake-slack-web-api.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const privateChannelId = 'G00FAKEPRIV1'
const outsideChannelId = 'C00FAKEOUT01'
const contextMarker = 'CONTEXT-MARKER can someone look at the flaky deploy?'
const privateMarker = 'PRIVATE-MARKER salary bands for next year'
let threadCounter = 0
const nextThreadTs = () => `1700100${String((threadCounter += 1)).padStart(3, '0')}.000100`

async function start(options: SlackTestAppOptions = {}, learningChannels = ['*']): Promise<SlackTestApp> {
  harness = await startSlackTestApp(options)
  harness.slack.addChannel({ id: channelId, name: 'general', is_member: true }, [{ user: otherMemberId, text: contextMarker, ts: '1700000900.000100' }])
  harness.slack.addChannel({ id: privateChannelId, name: 'leads', is_private: true, is_member: true }, [{ user: otherMemberId, text: privateMarker, ts: '1700000901.000100' }])
  harness.slack.addChannel({ id: outsideChannelId, name: 'random', is_member: false }, [{ user: otherMemberId, text: privateMarker, ts: '1700000902.000100' }])
  await harness.enable(learningChannels)
  await harness.optIn(memberId)
  return harness
}

/** Each member's assistant threads live in their own DM with the app. */
const dmOf = (userId: string) => (userId === memberId ? assistantChannelId : 'D00FAKEDM002')
const inThread = (threadTs: string, userId = memberId) => (call: RecordedSlackCall) => call.body.channel === dmOf(userId) && call.body.thread_ts === threadTs
const hasDraft = (call: RecordedSlackCall) => actionIdsIn(call.body.blocks).includes(actionIds.draftPost)

/** Opens the pane while the member views `viewedChannelId`, and waits until the app has greeted them. */
async function openPane(app: SlackTestApp, options: { userId?: string; viewedChannelId?: string; viewedTeamId?: string } = {}): Promise<string> {
  const threadTs = nextThreadTs()
  const userId = options.userId ?? memberId
  const response = await app.send(eventCallback(assistantThreadEvent('assistant_thread_started', { threadTs, channelId: dmOf(userId), ...options, viewedChannelId: options.viewedChannelId ?? channelId })))
  expect(response.status).toBe(200)
  await app.slack.waitFor('chat.postMessage', inThread(threadTs, userId))
  return threadTs
}

let messageCounter = 0
async function type(app: SlackTestApp, threadTs: string, text: string, userId = memberId) {
  const ts = `1700200${String((messageCounter += 1)).padStart(3, '0')}.000100`
  const body = eventCallback(assistantMessage({ text, ts, threadTs, userId, channelId: dmOf(userId) }))
  return { response: await app.send(body), body, ts }
}

const historyReads = (app: SlackTestApp, channel: string) => app.slack.calls.filter((call) => ['conversations.history', 'conversations.replies'].includes(call.method) && call.body.channel === channel)
const draftPrompt = (app: SlackTestApp) => app.modelCalls('draft').map((request) => request.body.messages.map((each) => each.content).join('\n')).join('\n')

describe('Slack assistant pane', () => {
  it('opening the pane greets the member in that thread and sets the suggested prompts', async () => {
    const app = await start()
    const threadTs = await openPane(app)

    const prompts = await app.slack.waitFor('assistant.threads.setSuggestedPrompts')
    expect(prompts.body).toMatchObject({ channel_id: assistantChannelId, thread_ts: threadTs })
    expect((prompts.body.prompts as { title: string; message: string }[]).map((prompt) => prompt.title)).toEqual([
      'Draft a reply to this thread in my voice',
      'Draft a message: …',
      'What have you learned about how I write?',
    ])
    const greeting = app.slack.callsTo('chat.postMessage').find(inThread(threadTs))!
    expect(visibleText(greeting.body)).toContain('in your voice')
    // The viewed channel rides on the greeting for the later messages of this thread; nothing else does.
    expect(greeting.body.metadata).toEqual({ event_type: 'assistant_thread_context', event_payload: { channel_id: channelId, team_id: 'T00FAKETEAM1' } })
    expect(app.modelCalls()).toHaveLength(0)
  })

  it('a typed request shows "is drafting…", then the /draft blocks and style-match score in the thread, with the viewed channel as context', async () => {
    const app = await start()
    const threadTs = await openPane(app)

    await type(app, threadTs, 'Draft a message: tell them I will look at it after lunch')
    const shown = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))

    const status = app.slack.callsTo('assistant.threads.setStatus')
    expect(status.map((call) => call.body)).toEqual([expect.objectContaining({ channel_id: assistantChannelId, thread_ts: threadTs, status: draftingStatus })])
    expect(status[0]!.sequence).toBeLessThan(shown.sequence)
    expect(visibleText(shown.body)).toContain(defaultDraftText)
    expect(visibleText(shown.body)).toContain('Style match')
    expect(actionIdsIn(shown.body.blocks)).toEqual(expect.arrayContaining([actionIds.draftPost, actionIds.draftEdit, actionIds.draftRegenerate, actionIds.draftDiscard]))
    expect(decodeDraftTarget(buttonValue(shown.body.blocks, actionIds.draftPost))).toMatchObject({ channelId })
    // The intent without the prompt's prefix; the viewed channel's latest messages as quoted context.
    const prompt = draftPrompt(app)
    expect(prompt).toContain('tell them I will look at it after lunch')
    expect(prompt).not.toContain('Draft a message:')
    expect(prompt).toContain('CONTEXT-MARKER')
  })

  it('posts a pane draft into the viewed channel only on the Post click, labelled as AI-drafted, and only once', async () => {
    const app = await start()
    const threadTs = await openPane(app)
    await type(app, threadTs, 'Draft a reply to this thread in my voice')
    const shown = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))
    expect(draftPrompt(app)).toContain(replyIntent)
    expect(app.slack.callsTo('chat.postMessage').filter((call) => call.body.channel === channelId)).toHaveLength(0)

    const value = buttonValue(shown.body.blocks, actionIds.draftPost)
    await app.click({ actionId: actionIds.draftPost, value, responseUrlId: 'pane', channelId: assistantChannelId })
    const posted = await app.slack.waitFor('chat.postMessage', (call) => call.body.channel === channelId)
    expect(visibleText(posted.body)).toContain(defaultDraftText)
    expect(visibleText(posted.body)).toContain('AI-drafted')
    expect(visibleText(posted.body)).toContain(`drafted by <@${memberId}>`)
    await app.waitForResponse('pane', (body) => visibleText(body).includes('Posted'))

    await app.click({ actionId: actionIds.draftPost, value, responseUrlId: 'pane', channelId: assistantChannelId })
    await app.waitForResponse('pane', (body) => visibleText(body).includes('already posted'))
    expect(app.slack.callsTo('chat.postMessage').filter((call) => call.body.channel === channelId)).toHaveLength(1)
  })

  it('Regenerate drafts again from the same request, and Discard posts nothing', async () => {
    let drafts = 0
    const app = await start({ model: { draft: () => `draft number ${(drafts += 1)}` } })
    const threadTs = await openPane(app)
    await type(app, threadTs, 'say thanks for the quick review')
    const shown = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))

    await app.click({ actionId: actionIds.draftRegenerate, value: buttonValue(shown.body.blocks, actionIds.draftRegenerate), responseUrlId: 'regenerate', channelId: assistantChannelId })
    const again = await app.waitForResponse('regenerate', (body) => visibleText(body).includes('draft number 2'))
    expect(again.body.replace_original).toBe(true)
    expect(draftPrompt(app).match(/CONTEXT-MARKER/g)?.length).toBe(2) // the same context, not read again
    expect(historyReads(app, channelId)).toHaveLength(1)

    await app.click({ actionId: actionIds.draftDiscard, value: buttonValue(again.body.blocks, actionIds.draftDiscard), responseUrlId: 'regenerate', channelId: assistantChannelId })
    await app.waitForResponse('regenerate', (body) => body.delete_original === true)
    expect(app.slack.callsTo('chat.postMessage').filter((call) => call.body.channel === channelId)).toHaveLength(0)
  })

  it.each([
    ['a private channel closed for learning', { viewedChannelId: privateChannelId }, 'Learning is not on in'],
    ['a channel the app is not in', { viewedChannelId: outsideChannelId }, 'I am not in'],
    ['a channel Slack places in another workspace', { viewedChannelId: privateChannelId, viewedTeamId: 'T00FAKEOTHER' }, 'belongs to another workspace'],
  ])('never reads %s for context: the reply prompt says why, a typed request drafts without it', async (_name, viewed, why) => {
    const app = await start({}, [channelId])
    const threadTs = await openPane(app, viewed)

    await type(app, threadTs, 'Draft a reply to this thread in my voice')
    const explained = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && visibleText(call.body).includes(why))
    expect(hasDraft(explained)).toBe(false)
    expect(app.modelCalls()).toHaveLength(0)

    await type(app, threadTs, 'tell them I will join the call at three')
    const shown = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))
    expect(visibleText(shown.body)).toContain('Drafted without the conversation')
    expect(visibleText(shown.body)).toContain(why)
    expect(historyReads(app, viewed.viewedChannelId)).toEqual([])
    expect(draftPrompt(app)).not.toContain('PRIVATE-MARKER')
    expect(draftPrompt(app)).toContain('tell them I will join the call at three')
  })

  it('follows the member to the channel they now view, per thread: one member’s viewed channel never reaches another’s thread', async () => {
    const app = await start()
    await app.optIn(otherMemberId)
    const secondChannel = 'C00FAKECHAN3'
    app.slack.addChannel({ id: secondChannel, name: 'deploys', is_member: true }, [{ user: otherMemberId, text: 'SECOND-CHANNEL release notes are up', ts: '1700000903.000100' }])
    const mine = await openPane(app, { viewedChannelId: channelId })
    const theirs = await openPane(app, { userId: otherMemberId, viewedChannelId: channelId })

    await app.send(eventCallback(assistantThreadEvent('assistant_thread_context_changed', { threadTs: mine, viewedChannelId: secondChannel })))
    await app.slack.waitFor('chat.update', (call) => (call.body.metadata as { event_payload?: { channel_id?: string } } | undefined)?.event_payload?.channel_id === secondChannel)

    await type(app, mine, 'say the release notes look good')
    const myDraft = await app.slack.waitFor('chat.postMessage', (call) => inThread(mine)(call) && hasDraft(call))
    expect(decodeDraftTarget(buttonValue(myDraft.body.blocks, actionIds.draftPost))?.channelId).toBe(secondChannel)
    expect(draftPrompt(app)).toContain('SECOND-CHANNEL')

    await type(app, theirs, 'say the release notes look good', otherMemberId)
    const theirDraft = await app.slack.waitFor('chat.postMessage', (call) => inThread(theirs, otherMemberId)(call) && hasDraft(call))
    expect(decodeDraftTarget(buttonValue(theirDraft.body.blocks, actionIds.draftPost))?.channelId).toBe(channelId)
  })

  it('gives a member who has not opted in the opt-in invitation there, reads and stores nothing, and opts them in on the click', async () => {
    const app = await start()
    const threadTs = await openPane(app, { userId: otherMemberId })
    const greeting = app.slack.callsTo('chat.postMessage').find(inThread(threadTs, otherMemberId))!
    expect(actionIdsIn(greeting.body.blocks)).toContain(actionIds.optIn)
    expect(visibleText(greeting.body)).toContain('You have not opted in')

    await type(app, threadTs, 'Draft a reply to this thread in my voice', otherMemberId)
    const invitation = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs, otherMemberId)(call) && call.sequence > greeting.sequence)
    expect(actionIdsIn(invitation.body.blocks)).toContain(actionIds.optIn)
    expect(hasDraft(invitation)).toBe(false)
    expect(app.modelCalls()).toHaveLength(0)
    expect(historyReads(app, channelId)).toEqual([])
    expect(app.slack.callsTo('assistant.threads.setStatus')).toEqual([])
    expect(await app.storedAbout(otherMemberId)).toEqual([])

    await app.click({ actionId: actionIds.optIn, value: 'self', userId: otherMemberId, responseUrlId: 'invitation', channelId: dmOf(otherMemberId) })
    await app.waitForResponse('invitation', (body) => visibleText(body).includes('You are opted in'))
    expect((await app.testCore.core.profile(app.actor(otherMemberId), app.member(otherMemberId))).optedIn).toBe(true)
  })

  it('acknowledges a message in an assistant thread before the draft is done, and never learns from it', async () => {
    let release!: () => void
    const modelHeld = new Promise<void>((resolve) => (release = resolve))
    let draftRequested!: () => void
    const draftReached = new Promise<void>((resolve) => (draftRequested = resolve))
    const app = await start({ model: { beforeDraft: async () => (draftRequested(), await modelHeld) } })
    const threadTs = await openPane(app)

    const { response } = await type(app, threadTs, 'tell the team the deploy moves to friday')
    expect(response.status).toBe(200)
    await draftReached
    expect(app.slack.callsTo('chat.postMessage').filter((call) => inThread(threadTs)(call) && hasDraft(call))).toHaveLength(0)
    release()
    await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))

    const profile = await app.testCore.core.profile(app.actor(memberId), app.member(memberId))
    expect(profile.historySize).toBe(0)
    expect((await app.storedAbout(memberId)).filter((line) => line.startsWith('history ') || line.startsWith('message-owner '))).toEqual([])
  })

  it('answers a redelivered message once, with one draft', async () => {
    const app = await start()
    const threadTs = await openPane(app)
    const { body } = await type(app, threadTs, 'say thanks for the quick review')
    await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && hasDraft(call))
    expect((await app.send(body, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200)
    const draftsShown = () => app.slack.callsTo('chat.postMessage').filter((call) => inThread(threadTs)(call) && hasDraft(call))
    // Until the redelivery is handled: recognised as seen before, or (wrongly) answered a second time.
    await vi.waitFor(() => expect(app.logs.some((line) => line.event === 'slack_assistant_repeated') || draftsShown().length > 1).toBe(true), { timeout: 10_000 })
    expect(draftsShown()).toHaveLength(1)
    expect(app.modelCalls('draft')).toHaveLength(1)
  })

  it('answers "What have you learned about how I write?" with the member’s own profile, without the model', async () => {
    const app = await start()
    const threadTs = await openPane(app)
    await type(app, threadTs, assistantPrompts[2].message)
    const answer = await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && visibleText(call.body).includes('You are opted in'))
    expect(visibleText(answer.body)).toContain('No hypotheses yet')
    expect(app.modelCalls()).toHaveLength(0)
  })

  it('asks what to say for "Draft a message:" alone, and says where to go when no channel is in view', async () => {
    const app = await start()
    const threadTs = await openPane(app)
    await type(app, threadTs, assistantPrompts[1].message)
    await app.slack.waitFor('chat.postMessage', (call) => inThread(threadTs)(call) && visibleText(call.body).includes('Tell me what you want to say'))

    const elsewhere = nextThreadTs()
    await app.send(eventCallback(assistantThreadEvent('assistant_thread_started', { threadTs: elsewhere })))
    await app.slack.waitFor('chat.postMessage', inThread(elsewhere))
    await type(app, elsewhere, 'say thanks for the quick review')
    await app.slack.waitFor('chat.postMessage', (call) => inThread(elsewhere)(call) && visibleText(call.body).includes('You are not viewing a channel'))
    expect(app.modelCalls()).toHaveLength(0)
  })

  it('in a workspace that is switched off, says so and offers no prompts', async () => {
    harness = await startSlackTestApp()
    const threadTs = await openPane(harness)
    const greeting = harness.slack.callsTo('chat.postMessage').find(inThread(threadTs))!
    expect(visibleText(greeting.body)).toContain('switched off')
    expect(harness.slack.callsTo('assistant.threads.setSuggestedPrompts')).toEqual([])
  })
})
