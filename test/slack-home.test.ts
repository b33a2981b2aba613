// App Home: members see their consent toggle with what is stored and for how long, their hypotheses and style;
// admins (Slack is_admin/is_owner or SLACK_ADMIN_USER_IDS) also get the workspace controls. Admin actions are
// refused server-side for everyone else, even when the payload is forged.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { actionIdsIn, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { adminId, blockAction, eventCallback, memberId, otherMemberId, viewSubmission } from '../testing/fakes/fake-slack-payloads.js'
import type { RecordedSlackCall } from '../testing/fakes/fake-slack-web-api.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const homeView = { type: 'home', id: 'V00FAKEHOME', callback_id: '', private_metadata: '', state: { values: {} } }
const adminControls = [actionIds.adminEnabled, actionIds.adminLearningChannels, actionIds.adminRetention, actionIds.adminConsentMode]

async function openHome(app: SlackTestApp, userId: string): Promise<RecordedSlackCall> {
  const seen = app.slack.callsTo('views.publish').length
  await app.send(eventCallback({ type: 'app_home_opened', user: userId, channel: 'D00FAKEDM001', tab: 'home', event_ts: `${Date.now() / 1000}` }))
  return app.slack.waitFor('views.publish', (call) => call.body.user_id === userId && app.slack.callsTo('views.publish').indexOf(call) >= seen)
}

async function clickInHome(app: SlackTestApp, userId: string, options: Parameters<typeof blockAction>[0]): Promise<RecordedSlackCall> {
  const seen = app.slack.callsTo('views.publish').length
  await app.send(blockAction({ ...options, userId, view: homeView }))
  return app.slack.waitFor('views.publish', (call) => call.body.user_id === userId && app.slack.callsTo('views.publish').indexOf(call) >= seen)
}

const policyOf = (app: SlackTestApp) => app.testCore.core.admin.policy(app.actor(adminId, true), app.member(adminId))

describe('App Home', () => {
  it('shows a member the opt-in toggle with what is stored and for how long, and no admin controls', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    const published = await openHome(harness, memberId)
    const ids = actionIdsIn(published.body.view)

    expect(ids).toContain(actionIds.optIn)
    expect(ids).toContain(actionIds.forgetConfirm)
    expect(ids.filter((id) => id.startsWith('admin_'))).toEqual([])
    const text = visibleText(published.body.view)
    expect(text).toContain('You are not opted in')
    expect(text).toContain('90 days')
    expect(text).toContain('never:* direct messages')
  })

  it('shows a Slack admin the workspace controls, counts and audit log', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    const published = await openHome(harness, adminId)
    expect(actionIdsIn(published.body.view)).toEqual(expect.arrayContaining(adminControls))
    expect(visibleText(published.body.view)).toContain('Safety audit log')
    expect(visibleText(published.body.view)).toContain('Opted-in members')
  })

  it('treats members listed in SLACK_ADMIN_USER_IDS as admins', async () => {
    harness = await startSlackTestApp({ settings: { SLACK_ADMIN_USER_IDS: otherMemberId } })
    await harness.enable()
    const published = await openHome(harness, otherMemberId)
    expect(actionIdsIn(published.body.view)).toEqual(expect.arrayContaining(adminControls))
  })

  it('refuses admin changes from a non-admin, even with a forged action payload', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(otherMemberId)
    const before = await policyOf(harness)

    const retention = await clickInHome(harness, memberId, { actionId: actionIds.adminRetention, selected: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '1 day' }, value: '1' } } })
    await clickInHome(harness, memberId, { actionId: actionIds.adminEnabled, value: 'off' })
    await clickInHome(harness, memberId, { actionId: actionIds.adminConsentMode, selected: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'admin' }, value: 'admin' } } })
    await clickInHome(harness, memberId, { actionId: actionIds.adminMemberOptOut, value: otherMemberId })
    await clickInHome(harness, memberId, { actionId: actionIds.adminLearningChannels, selected: { type: 'multi_conversations_select', selected_conversations: ['C00EVILCHAN1'] } })

    const after = await policyOf(harness)
    expect(after).toEqual(before)
    expect((await harness.testCore.core.profile(harness.actor(otherMemberId), harness.member(otherMemberId))).optedIn).toBe(true)
    expect(visibleText(retention.body.view)).toContain('Only a workspace admin can do that')
    expect(actionIdsIn(retention.body.view).filter((id) => id.startsWith('admin_'))).toEqual([])
  })

  it('lets an admin change retention, learning channels and the bot switch from Home', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await clickInHome(harness, adminId, { actionId: actionIds.adminRetention, selected: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: '30 days' }, value: '30' } } })
    await clickInHome(harness, adminId, { actionId: actionIds.adminLearningChannels, selected: { type: 'multi_conversations_select', selected_conversations: ['C00FAKECHAN1', 'C00FAKECHAN2'] } })
    const last = await clickInHome(harness, adminId, { actionId: actionIds.adminEnabled, value: 'off' })

    const policy = await policyOf(harness)
    expect(policy.retentionDays).toBe(30)
    expect(policy.learningChannels).toEqual(['C00FAKECHAN1', 'C00FAKECHAN2'])
    expect(policy.enabled).toBe(false)
    expect(visibleText(last.body.view)).toContain('hyperalign is off')
  })

  it('in admin consent mode, an admin opts a member in and the member is told privately', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.testCore.core.admin.setConsentMode(harness.actor(adminId, true), harness.member(adminId), 'admin')

    await clickInHome(harness, adminId, { actionId: actionIds.adminMemberOptIn, selected: { type: 'users_select', selected_user: memberId } })

    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).consent?.via).toBe('admin')
    const notice = await harness.slack.waitFor('chat.postMessage', (call) => call.body.channel === memberId)
    expect(String(notice.body.text)).toContain('opted you in')
    expect(String(notice.body.text)).toContain('/hyperalign optout')
  })

  it('opts a member in from Home, and lets them add, pin and delete hypotheses', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    const optedIn = await clickInHome(harness, memberId, { actionId: actionIds.optIn, value: 'home' })
    expect(visibleText(optedIn.body.view)).toContain('You are opted in')
    expect(actionIdsIn(optedIn.body.view)).toContain(actionIds.backfill)

    await harness.send(viewSubmission({ callbackId: 'hyperalign_add_hypothesis', privateMetadata: '', values: { category: { category_input: { type: 'static_select', selected_option: { value: 'writing_style' } } }, statement: { statement_input: { type: 'plain_text_input', value: 'I keep replies short and skip greetings' } } } }))
    await expect.poll(async () => (await harness!.testCore.core.profile(harness!.actor(memberId), harness!.member(memberId))).hypotheses.length).toBe(1)
    const hypothesis = (await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).hypotheses[0]!

    const home = await openHome(harness, memberId)
    expect(visibleText(home.body.view)).toContain('I keep replies short and skip greetings')
    expect(actionIdsIn(home.body.view)).toContain(actionIds.hypothesisMenu)

    await clickInHome(harness, memberId, { actionId: actionIds.hypothesisMenu, selected: { type: 'overflow', selected_option: { value: `pin:${hypothesis.id}` } } })
    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).hypotheses[0]?.pinned).toBe(true)
    await clickInHome(harness, memberId, { actionId: actionIds.hypothesisMenu, selected: { type: 'overflow', selected_option: { value: `delete:${hypothesis.id}` } } })
    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).hypotheses).toEqual([])
  })

  it('forgets a member from Home and leaves nothing about them in the store', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    await harness.send(eventCallback({ type: 'message', channel: 'C00FAKECHAN1', channel_type: 'channel', user: memberId, text: 'remember me', ts: '1700005000.000100' }))
    await expect.poll(async () => (await harness!.storedAbout(memberId)).length).toBeGreaterThan(0)

    const published = await clickInHome(harness, memberId, { actionId: actionIds.forgetConfirm, value: 'home' })
    expect(visibleText(published.body.view)).toContain('Erased 1 messages')
    expect(await harness.storedAbout(memberId)).toEqual([])
  })
})
