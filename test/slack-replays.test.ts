// Replayed and cross-workspace requests against the real Bolt app: a captured state-changing click or command,
// sent again with its original signature inside Slack's five-minute window (to the same or another process on the
// same store), is acknowledged and does nothing; a payload naming another workspace than the user's changes nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/open-store.js'
import { dumpStore } from '../testing/support/test-core.js'
import { actionIdsIn, buttonValue, signingSecret, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { adminId, blockAction, channelMessage, eventCallback, memberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { encodeSlackBody, signSlackBody, type SlackBody } from '../testing/fakes/fake-slack-signed-request.js'
import type { RecordedSlackCall } from '../testing/fakes/fake-slack-web-api.js'
import { fakeTeamId } from '../testing/fakes/fake-slack-web-api.js'

const apps: SlackTestApp[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})

async function start(options: Parameters<typeof startSlackTestApp>[0] = {}): Promise<SlackTestApp> {
  const app = await startSlackTestApp(options)
  apps.push(app)
  return app
}

const homeView = { type: 'home', id: 'V00FAKEHOME', callback_id: '', private_metadata: '', state: { values: {} } }

/** A request as an attacker would capture it: the exact bytes, timestamp and signature Slack sent. */
function capture(body: SlackBody) {
  const timestampSeconds = Math.floor(Date.now() / 1000)
  return { body, options: { timestampSeconds, signature: signSlackBody(signingSecret, timestampSeconds, encodeSlackBody(body).raw) } }
}
type Captured = ReturnType<typeof capture>

/** Sends a Home click and waits for the Home tab it re-publishes (the sign the click was handled). */
async function clickInHome(app: SlackTestApp, userId: string, captured: Captured): Promise<RecordedSlackCall> {
  const seen = app.slack.callsTo('views.publish').length
  const response = await app.send(captured.body, captured.options)
  expect(response.status).toBe(200)
  return app.slack.waitFor('views.publish', (call) => call.body.user_id === userId && app.slack.callsTo('views.publish').indexOf(call) >= seen)
}

const homeClick = (userId: string, options: Omit<Parameters<typeof blockAction>[0], 'userId' | 'view'>) => capture(blockAction({ ...options, userId, view: homeView }))
const optedIn = async (app: SlackTestApp) => (await app.testCore.core.profile(app.actor(memberId), app.member(memberId))).optedIn
const repeatedLogs = (app: SlackTestApp) => app.logs.filter((line) => line.event === 'slack_action_repeated').length

/** Sends the captured request again and checks it was recognised as a repeat and nothing was sent to Slack (a lookup aside). */
async function replay(app: SlackTestApp, captured: Captured) {
  const repeatsBefore = repeatedLogs(app)
  const callsBefore = app.slack.calls.length
  const response = await app.send(captured.body, captured.options)
  expect(response.status).toBe(200)
  expect(repeatedLogs(app)).toBe(repeatsBefore + 1)
  expect(app.slack.calls.slice(callsBefore).filter((call) => call.method !== 'users.info')).toEqual([])
}

const policyOf = (app: SlackTestApp, teamId = fakeTeamId) =>
  app.testCore.core.admin.policy({ member: { platform: 'slack', workspaceId: teamId, userId: adminId }, isPlatformAdmin: true }, { platform: 'slack', workspaceId: teamId })

describe('replayed Slack requests', () => {
  it('a captured opt-in click replayed after the member opted out does not opt them in again', async () => {
    const app = await start()
    await app.enable()
    const optInClick = homeClick(memberId, { actionId: actionIds.optIn, value: 'home' })
    await clickInHome(app, memberId, optInClick)
    expect(await optedIn(app)).toBe(true)
    await clickInHome(app, memberId, homeClick(memberId, { actionId: actionIds.optOut, value: 'home' }))
    expect(await optedIn(app)).toBe(false)

    await replay(app, optInClick)

    expect(await optedIn(app)).toBe(false)
    expect(await app.storedAbout(memberId)).toEqual([])
  })

  it('a captured "/hyperalign optin" replayed after an opt-out does not opt the member in again', async () => {
    const app = await start()
    await app.enable()
    const command = capture(slashCommand({ command: '/hyperalign', text: 'optin', responseUrl: app.slack.responseUrl('replayed-optin') }))
    expect((await app.send(command.body, command.options)).status).toBe(200)
    await expect.poll(() => optedIn(app)).toBe(true)
    await clickInHome(app, memberId, homeClick(memberId, { actionId: actionIds.optOut, value: 'home' }))

    await replay(app, command)

    expect(await optedIn(app)).toBe(false)
  })

  it('a captured "forget me" confirmation replayed after the member opted in again erases nothing', async () => {
    const app = await start()
    await app.enable()
    await app.optIn(memberId)
    const forget = homeClick(memberId, { actionId: actionIds.forgetConfirm, value: 'forget' })
    await clickInHome(app, memberId, forget)
    await app.optIn(memberId)
    await app.send(eventCallback(channelMessage({ text: 'written after opting in again', ts: '1700000800.000100' })))

    await replay(app, forget)

    expect(await optedIn(app)).toBe(true)
    expect((await app.storedAbout(memberId)).join('\n')).toContain('written after opting in again')
  })

  it('a captured admin click replayed after the admin changed the setting back does nothing', async () => {
    const app = await start()
    await app.enable()
    const switchOff = homeClick(adminId, { actionId: actionIds.adminEnabled, value: 'off' })
    await clickInHome(app, adminId, switchOff)
    expect((await policyOf(app)).enabled).toBe(false)
    await clickInHome(app, adminId, homeClick(adminId, { actionId: actionIds.adminEnabled, value: 'on' }))

    await replay(app, switchOff)

    expect((await policyOf(app)).enabled).toBe(true)
  })

  it('a captured Post click replayed after Slack refused the post (the draft is postable again) posts nothing; the member’s next click does', async () => {
    const app = await start()
    await app.enable()
    await app.optIn(memberId)
    const { responseUrlId } = await app.command('/draft', 'tell the team the deploy moves to friday')
    const shown = await app.waitForResponse(responseUrlId, (body) => actionIdsIn(body.blocks).includes(actionIds.draftPost))
    const value = buttonValue(shown.body.blocks, actionIds.draftPost)
    app.slack.failWith('chat.postMessage', 'not_in_channel')
    const firstClick = capture(blockAction({ actionId: actionIds.draftPost, value, responseUrl: app.slack.responseUrl(responseUrlId) }))
    await app.send(firstClick.body, firstClick.options)
    await app.waitForResponse(responseUrlId, (body) => visibleText(body).includes('/invite @hyperalign'))

    await replay(app, firstClick)
    expect(app.slack.callsTo('chat.postMessage')).toHaveLength(1) // only the refused attempt

    await app.click({ actionId: actionIds.draftPost, value, responseUrlId })
    await app.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Posted'))
    expect(app.slack.callsTo('chat.postMessage')).toHaveLength(2)
  })

  it('a click replayed to another process on the same store is a repeat there too', async () => {
    const directUrl = new URL(loadConfig().TEST_REDIS_URL.replace(/\/\d+$/, '') + '/11')
    const cleaner = await openStore(directUrl.toString())
    await cleaner.clear()
    try {
      const first = await start({ storeUrl: directUrl.toString() })
      const second = await start({ storeUrl: directUrl.toString() })
      await first.enable()
      const optInClick = homeClick(memberId, { actionId: actionIds.optIn, value: 'home' })
      await clickInHome(first, memberId, optInClick)
      await clickInHome(first, memberId, homeClick(memberId, { actionId: actionIds.optOut, value: 'home' }))

      await replay(second, optInClick)

      expect(await optedIn(second)).toBe(false)
    } finally {
      await cleaner.clear()
      await cleaner.close()
    }
  })
})

describe('Slack payloads naming another workspace', () => {
  const otherTeam = 'T00OTHERTEAM'

  it.each([
    ['whose team differs from the user’s team in the payload', { team: { id: otherTeam, domain: 'other' } }],
    ['whose team and user team both name another workspace than Slack reports for the user', { team: { id: otherTeam, domain: 'other' }, userTeam: otherTeam }],
  ])('an admin click %s changes nothing', async (_name, forged) => {
    const app = await start()
    await app.enable()
    const before = await dumpStore(app.testCore.store)
    // Switching the other workspace on would change it: it starts switched off.
    const body = blockAction({ actionId: actionIds.adminEnabled, value: 'on', userId: adminId, view: homeView })
    if (body.kind !== 'interactive') throw new Error('not interactive')
    body.payload.team = forged.team
    if ('userTeam' in forged) body.payload.user = { ...(body.payload.user as object), team_id: forged.userTeam }
    const callsBefore = app.slack.calls.length

    const response = await app.send(body)

    expect(response.status).toBe(200)
    expect(app.logs.some((line) => line.event === 'slack_workspace_mismatch')).toBe(true)
    expect(await dumpStore(app.testCore.store)).toEqual(before)
    expect(app.slack.calls.slice(callsBefore).filter((call) => call.method !== 'users.info')).toEqual([])
    expect((await policyOf(app)).enabled).toBe(true)
    expect((await policyOf(app, otherTeam)).enabled).toBe(false)
  })

  it('the same click naming the user’s own workspace is saved (the check is not a blanket refusal)', async () => {
    const app = await start()
    await app.enable()
    const published = await clickInHome(app, adminId, homeClick(adminId, { actionId: actionIds.adminEnabled, value: 'off' }))
    expect(visibleText(published.body.view)).toContain('Saved.')
    expect((await policyOf(app)).enabled).toBe(false)
  })
})
