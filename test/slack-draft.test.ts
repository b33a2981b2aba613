// /draft end to end: the real Bolt app on the real core, driven with signed requests; asserts on what reached the
// fake Slack (response_url messages, chat.postMessage) and the fake model.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { actionIdsIn, buttonValue, defaultDraftText, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { memberId, viewSubmission } from '../testing/fakes/fake-slack-payloads.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const hasDraft = (body: Record<string, unknown>) => actionIdsIn(body.blocks).includes(actionIds.draftPost)

describe('/draft', () => {
  it('acknowledges before a slow model finishes', async () => {
    let release!: () => void
    const modelHeld = new Promise<void>((resolve) => (release = resolve))
    let draftRequested!: () => void
    const draftReached = new Promise<void>((resolve) => (draftRequested = resolve))
    harness = await startSlackTestApp({
      model: {
        beforeDraft: async () => {
          draftRequested()
          await modelHeld
        },
      },
    })
    await harness.enable()
    await harness.optIn(memberId)

    const { response, responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')

    // The HTTP answer (the ack) is here while the model has not answered: no draft has been shown yet.
    expect(response.status).toBe(200)
    expect(visibleText(response.json)).toContain('Drafting in your voice')
    await draftReached
    expect(harness.responses(responseUrlId).filter((call) => hasDraft(call.body))).toHaveLength(0)

    release()
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    expect(visibleText(shown.body)).toContain(defaultDraftText)
    expect(shown.body.response_type).toBe('ephemeral')
    expect(actionIdsIn(shown.body.blocks)).toEqual(expect.arrayContaining([actionIds.draftPost, actionIds.draftEdit, actionIds.draftRegenerate, actionIds.draftDiscard]))
  })

  it('says it is still working when the model is slow, then the draft replaces that notice', async () => {
    let release!: () => void
    const modelHeld = new Promise<void>((resolve) => (release = resolve))
    harness = await startSlackTestApp({ stillWorkingAfterMs: 50, model: { beforeDraft: () => modelHeld } })
    await harness.enable()
    await harness.optIn(memberId)

    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const notice = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Still working on it'))
    expect(notice.body.response_type).toBe('ephemeral')
    expect(notice.body.replace_original).not.toBe(true) // a slash command's ack cannot be replaced; the notice is its own message
    expect(harness.responses(responseUrlId).filter((call) => hasDraft(call.body))).toHaveLength(0)

    release()
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    expect(shown.body.replace_original).toBe(true)
    expect(shown.body.response_type).toBe('ephemeral')
    expect(harness.responses(responseUrlId).filter((call) => visibleText(call.body).includes('Still working'))).toHaveLength(1)
  })

  it('on a hanging model: the still-working notice, then the timeout message in its place', async () => {
    harness = await startSlackTestApp({ stillWorkingAfterMs: 50, settings: { LLM_TIMEOUT_MS: '1500' }, model: { hangDraft: true } })
    await harness.enable()
    await harness.optIn(memberId)

    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Still working on it'))
    const failed = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('took too long'))
    expect(failed.body.replace_original).toBe(true)
    expect(hasDraft(failed.body)).toBe(false)
  })

  it('a draft that comes quickly gets no still-working notice', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    expect(shown.body.replace_original).not.toBe(true)
    expect(harness.responses(responseUrlId).filter((call) => visibleText(call.body).includes('Still working'))).toHaveLength(0)
  })

  it('gives a member who has not opted in an opt-in prompt, not a draft, and stores nothing about them', async () => {
    harness = await startSlackTestApp()
    await harness.enable()

    const { response, responseUrlId } = await harness.command('/draft', 'say thanks to the team')
    expect(response.status).toBe(200)
    const reply = await harness.waitForResponse(responseUrlId, (body) => actionIdsIn(body.blocks).includes(actionIds.optIn))

    expect(hasDraft(reply.body)).toBe(false)
    expect(visibleText(reply.body)).toContain('You have not opted in')
    expect(harness.modelCalls()).toHaveLength(0)
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('posts only on the click, labelled as AI-drafted and attributed to the member, and only once', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)

    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(0)

    const value = buttonValue(shown.body.blocks, actionIds.draftPost)
    expect(value).toBeDefined()
    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(posted.body.channel).toBe('C00FAKECHAN1')
    expect(visibleText(posted.body)).toContain(defaultDraftText)
    expect(visibleText(posted.body)).toContain('AI-drafted')
    expect(visibleText(posted.body)).toContain(`drafted by <@${memberId}>`)
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Posted'))

    // A second click (or a second process answering the same click) does not post again.
    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('already posted'))
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(1)
  })

  it('keeps the draft postable when Slack refuses the post, and posts it on the next click', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    const value = buttonValue(shown.body.blocks, actionIds.draftPost)
    harness.slack.failWith('chat.postMessage', 'not_in_channel')
    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    const note = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('/invite @hyperalign'))
    expect(note.body.replace_original).not.toBe(true)
    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Posted'))
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(2) // the refused attempt and the one that went through
  })

  it('shows the rule of a refusal, not a draft', async () => {
    harness = await startSlackTestApp({ model: { refuse: (stage) => (stage === 'safety_output' ? ['W2'] : undefined), draft: () => 'I promise everyone a 20% raise by Monday.' } })
    await harness.enable()
    await harness.optIn(memberId)

    const { responseUrlId } = await harness.command('/draft', 'tell the team about raises')
    const reply = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('did not write this draft'))

    expect(visibleText(reply.body)).toContain('`W2`')
    expect(visibleText(reply.body)).not.toContain('20% raise')
    expect(hasDraft(reply.body)).toBe(false)
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(0)
  })

  it('answers oversized input with a message naming the limit, without calling the model', async () => {
    harness = await startSlackTestApp({ settings: { MAX_INPUT_CHARS: '500' } })
    await harness.enable()
    await harness.optIn(memberId)

    const { responseUrlId } = await harness.command('/draft', 'word '.repeat(200))
    const reply = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('limit'))

    expect(visibleText(reply.body)).toContain('the limit is 500')
    expect(hasDraft(reply.body)).toBe(false)
    expect(harness.modelCalls()).toHaveLength(0)
  })

  it('asks for an intent when /draft is empty', async () => {
    harness = await startSlackTestApp()
    const { response } = await harness.command('/draft', '   ')
    expect(visibleText(response.json)).toContain('Tell me what you want to say')
    expect(harness.modelCalls()).toHaveLength(0)
  })

  it('drafts once when the same request is delivered twice', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)

    const first = await harness.command('/draft', 'thank the reviewers', { triggerId: 'trigger.same.1' })
    await harness.waitForResponse(first.responseUrlId, hasDraft)
    const second = await harness.command('/draft', 'thank the reviewers', { triggerId: 'trigger.same.1' })
    await harness.waitForResponse(second.responseUrlId, hasDraft)

    expect(harness.modelCalls('draft')).toHaveLength(1)
    const draftIdOf = async (id: string) => JSON.parse(buttonValue((await harness!.waitForResponse(id, hasDraft)).body.blocks, actionIds.draftPost) ?? '{}').d
    expect(await draftIdOf(second.responseUrlId)).toBe(await draftIdOf(first.responseUrlId))
  })

  it('edits in a modal, then posts the edited text with the label', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)

    await harness.click({ actionId: actionIds.draftEdit, value: buttonValue(shown.body.blocks, actionIds.draftEdit), responseUrlId })
    const opened = await harness.slack.waitFor('views.open')
    const view = opened.body.view as { callback_id: string; private_metadata: string; blocks: { element?: { initial_value?: string } }[] }
    expect(view.blocks[0]?.element?.initial_value).toBe(defaultDraftText)
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(0)

    const edited = 'heads up: deploy moves to friday, ping me with questions'
    await harness.send(viewSubmission({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { draft_text: { draft_text_input: { type: 'plain_text_input', value: edited } } } }))
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(visibleText(posted.body)).toContain(edited)
    expect(visibleText(posted.body)).toContain('edited by them')
    expect(harness.modelCalls('safety_output').length).toBeGreaterThanOrEqual(2)
  })

  it('regenerates a new draft and discards without posting', async () => {
    let count = 0
    harness = await startSlackTestApp({ model: { draft: () => `version ${(count += 1)} of the message` } })
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const first = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('version 1'))

    await harness.click({ actionId: actionIds.draftRegenerate, value: buttonValue(first.body.blocks, actionIds.draftRegenerate), responseUrlId })
    const second = await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('version 2'))
    expect(second.body.replace_original).toBe(true)

    const value = buttonValue(second.body.blocks, actionIds.draftDiscard)
    await harness.click({ actionId: actionIds.draftDiscard, value, responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => body.delete_original === true)
    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('already posted or discarded'))
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(0)
  })

  it('refuses a forged Post button for someone else’s draft', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)

    await harness.click({ actionId: actionIds.draftPost, value: buttonValue(shown.body.blocks, actionIds.draftPost), responseUrlId: 'forged', userId: 'U00FAKEUSER2' })
    await harness.waitForResponse('forged', (body) => visibleText(body).includes('already posted or discarded'))
    await harness.click({ actionId: actionIds.draftPost, value: '{"d":"x","c":"not a channel"}', responseUrlId: 'forged-value' })
    await harness.waitForResponse('forged-value', (body) => visibleText(body).includes('out of date'))
    expect(harness.slack.callsTo('chat.postMessage')).toHaveLength(0)
  })

  it('never lets model output ping the channel when posted', async () => {
    harness = await startSlackTestApp({ model: { draft: () => '<!channel> <@U00FAKEUSER2> read this' } })
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/draft', 'ask everyone to read the doc')
    const shown = await harness.waitForResponse(responseUrlId, hasDraft)
    await harness.click({ actionId: actionIds.draftPost, value: buttonValue(shown.body.blocks, actionIds.draftPost), responseUrlId })
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(JSON.stringify(posted.body)).not.toContain('<!channel>')
    expect(visibleText(posted.body)).toContain('&lt;!channel&gt;')
  })
})
