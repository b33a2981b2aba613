// Posting as the member: the real Bolt app, Slack's OAuth v2 user-token exchange against the fake Web API, and the
// browser's redirect to the app's callback played by the test. Asserts on what reached Slack and what the store holds.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { openToken, sealToken } from '../adapters/slack/token-seal.js'
import { oauthCallbackPath } from '../adapters/slack/user-posting.js'
import { actionIdsIn, buttonValue, elementWithAction, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { eventCallback, memberId, otherMemberId } from '../testing/fakes/fake-slack-payloads.js'
import { fakeTeamId } from '../testing/fakes/fake-slack-web-api.js'
import { dumpStore } from '../testing/support/test-core.js'

const oauthSettings = { SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'test-client-secret-abcdef', SLACK_REDIRECT_URL: 'https://bot.example.test/slack/oauth/callback' }
const userToken = 'xoxp-member-secret-token-123'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

function linkIn(blocks: unknown): URL {
  const url = elementWithAction(blocks, actionIds.postingConnect)?.url
  if (typeof url !== 'string') throw new Error('no "post as me" link in the reply')
  return new URL(url)
}

/** What the member's browser does after they approve on Slack's page: follow the redirect to the app. */
async function followRedirect(app: SlackTestApp, query: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(`http://127.0.0.1:${app.app.port}${oauthCallbackPath}`)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  const response = await fetch(url)
  return { status: response.status, text: await response.text() }
}

async function connectLink(app: SlackTestApp, userId = memberId): Promise<URL> {
  const { responseUrlId } = await app.command('/hyperalign', 'connect', { userId })
  const reply = await app.waitForResponse(responseUrlId, (body) => actionIdsIn(body.blocks).includes(actionIds.postingConnect))
  return linkIn(reply.body.blocks)
}

async function connect(app: SlackTestApp): Promise<void> {
  const link = await connectLink(app)
  app.slack.oauthGrants.set('code-1', { userId: memberId, teamId: fakeTeamId, scope: 'chat:write', token: userToken })
  const done = await followRedirect(app, { code: 'code-1', state: link.searchParams.get('state')! })
  expect(done.status).toBe(200)
}

const hasDraft = (body: Record<string, unknown>) => actionIdsIn(body.blocks).includes(actionIds.draftPost)

async function draftAndPost(app: SlackTestApp): Promise<{ responseUrlId: string; value: string | undefined }> {
  const { responseUrlId } = await app.command('/draft', 'tell the team the deploy moves to friday')
  const shown = await app.waitForResponse(responseUrlId, hasDraft)
  const value = buttonValue(shown.body.blocks, actionIds.draftPost)
  await app.click({ actionId: actionIds.draftPost, value, responseUrlId })
  return { responseUrlId, value }
}

describe('posting as the member', () => {
  it('posts an approved draft as the member with their granted token, labelled as AI-drafted; the token is stored sealed', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)

    const link = await connectLink(harness)
    expect(link.pathname).toBe('/oauth/v2/authorize')
    expect(link.searchParams.get('user_scope')).toBe('chat:write')
    expect(link.searchParams.get('client_id')).toBe(oauthSettings.SLACK_CLIENT_ID)
    expect(link.searchParams.get('redirect_uri')).toBe(oauthSettings.SLACK_REDIRECT_URL)
    await connect(harness)
    const exchange = harness.slack.callsTo('oauth.v2.access')[0]!
    expect(exchange.body).toMatchObject({ client_id: oauthSettings.SLACK_CLIENT_ID, code: 'code-1', redirect_uri: oauthSettings.SLACK_REDIRECT_URL })

    const stored = await dumpStore(harness.testCore.store)
    expect(stored.some((line) => line.startsWith('credentials') && line.includes(memberId))).toBe(true)
    expect(stored.join('\n')).not.toContain(userToken)

    const { responseUrlId } = await draftAndPost(harness)
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(posted.token).toBe(userToken)
    expect(visibleText(posted.body)).toContain('AI-drafted')
    expect(visibleText(posted.body)).toContain(`approved by <@${memberId}>`)
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('Posted as you'))
  })

  it('posts as the app with attribution for a member who granted nothing', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    await draftAndPost(harness)
    const posted = await harness.slack.waitFor('chat.postMessage')
    expect(posted.token).toBe('xoxb-test-token')
    expect(visibleText(posted.body)).toContain(`drafted by <@${memberId}>`)
  })

  it('rejects a forged or tampered state without calling Slack or storing anything', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    const state = (await connectLink(harness)).searchParams.get('state')!
    harness.slack.oauthGrants.set('code-1', { userId: memberId, teamId: fakeTeamId, scope: 'chat:write', token: userToken })
    const [payload, signature] = state.split('.')
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), u: otherMemberId })).toString('base64url')

    for (const forged of [`${forgedPayload}.${signature}`, 'garbage', '']) {
      const answer = await followRedirect(harness, { code: 'code-1', state: forged })
      expect(answer.status).toBe(400)
      expect(answer.text).toContain('expired or is not valid')
    }
    expect(harness.slack.callsTo('oauth.v2.access')).toHaveLength(0)
    expect((await dumpStore(harness.testCore.store)).filter((line) => line.startsWith('credentials'))).toEqual([])
  })

  it('gives back a token granted by a different account than the member who asked', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    const link = await connectLink(harness)
    harness.slack.oauthGrants.set('code-2', { userId: otherMemberId, teamId: fakeTeamId, scope: 'chat:write', token: 'xoxp-someone-else' })

    const answer = await followRedirect(harness, { code: 'code-2', state: link.searchParams.get('state')! })
    expect(answer.status).toBe(403)
    expect(harness.slack.callsTo('auth.revoke').map((call) => call.token)).toEqual(['xoxp-someone-else'])
    expect((await dumpStore(harness.testCore.store)).filter((line) => line.startsWith('credentials'))).toEqual([])
  })

  it('offers no link before opt-in, and gives back a grant that arrives after the member opted out', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    const { responseUrlId } = await harness.command('/hyperalign', 'connect')
    const prompt = await harness.waitForResponse(responseUrlId)
    expect(actionIdsIn(prompt.body.blocks)).toContain(actionIds.optIn)
    expect(actionIdsIn(prompt.body.blocks)).not.toContain(actionIds.postingConnect)

    await harness.optIn(memberId)
    const link = await connectLink(harness)
    await harness.testCore.core.setConsent(harness.actor(memberId), harness.member(memberId), false)
    harness.slack.oauthGrants.set('code-3', { userId: memberId, teamId: fakeTeamId, scope: 'chat:write', token: userToken })
    const answer = await followRedirect(harness, { code: 'code-3', state: link.searchParams.get('state')! })
    expect(answer.status).toBe(403)
    expect(answer.text).toContain('Opt in first')
    expect(harness.slack.callsTo('auth.revoke').map((call) => call.token)).toEqual([userToken])
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('revokes the token at Slack on opt-out and leaves nothing behind', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    await connect(harness)

    const { responseUrlId } = await harness.command('/hyperalign', 'optout')
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).toLowerCase().includes('opted out'))
    expect(harness.slack.callsTo('auth.revoke').map((call) => call.token)).toEqual([userToken])
    expect(await harness.storedAbout(memberId)).toEqual([])
  })

  it('disconnect gives the permission back; later drafts are posted by the app', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    await connect(harness)

    const { responseUrlId } = await harness.command('/hyperalign', 'disconnect')
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('no longer posts as you'))
    expect(harness.slack.callsTo('auth.revoke').map((call) => call.token)).toEqual([userToken])
    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).credential).toBeUndefined()
    await draftAndPost(harness)
    expect((await harness.slack.waitFor('chat.postMessage')).token).toBe('xoxb-test-token')
  })

  it('a revoked token posts nothing, keeps the draft postable, and the next click posts as the app', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    await connect(harness)
    harness.slack.failWith('chat.postMessage', 'token_revoked')

    const { responseUrlId, value } = await draftAndPost(harness)
    await harness.waitForResponse(responseUrlId, (body) => visibleText(body).includes('no longer accepts your permission'))
    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).credential).toBeUndefined()

    await harness.click({ actionId: actionIds.draftPost, value, responseUrlId })
    const second = await harness.slack.waitFor('chat.postMessage', (call) => call.token === 'xoxb-test-token')
    expect(visibleText(second.body)).toContain(`drafted by <@${memberId}>`)
  })

  it('offers "Post as me" in an opted-in member\'s Home tab, and "Post as the app instead" once granted', async () => {
    harness = await startSlackTestApp({ settings: oauthSettings })
    await harness.enable()
    await harness.optIn(memberId)
    const openHome = async () => {
      const seen = harness!.slack.callsTo('views.publish').length
      await harness!.send(eventCallback({ type: 'app_home_opened', user: memberId, channel: 'D00FAKEDM001', tab: 'home', event_ts: `${Date.now() / 1000}` }))
      return harness!.slack.waitFor('views.publish', (call) => harness!.slack.callsTo('views.publish').indexOf(call) >= seen)
    }
    const before = await openHome()
    expect(linkIn((before.body.view as { blocks: unknown }).blocks).searchParams.get('user_scope')).toBe('chat:write')
    await connect(harness)
    const after = await openHome()
    expect(actionIdsIn((after.body.view as { blocks: unknown }).blocks)).toContain(actionIds.postingDisconnect)
    expect(actionIdsIn((after.body.view as { blocks: unknown }).blocks)).not.toContain(actionIds.postingConnect)
  })

  it('explains that posting as yourself is not set up when the app has no OAuth settings', async () => {
    harness = await startSlackTestApp()
    await harness.enable()
    await harness.optIn(memberId)
    const { responseUrlId } = await harness.command('/hyperalign', 'connect')
    const reply = await harness.waitForResponse(responseUrlId)
    expect(visibleText(reply.body)).toContain('not set up')
    expect(actionIdsIn(reply.body.blocks)).not.toContain(actionIds.postingConnect)
  })
})

describe('token seal', () => {
  it('opens only with the same secret and for the same member', () => {
    const sealed = sealToken('secret-one', 'slack:T1:U1', userToken)
    expect(sealed).not.toContain(userToken)
    expect(openToken('secret-one', 'slack:T1:U1', sealed)).toBe(userToken)
    expect(openToken('secret-two', 'slack:T1:U1', sealed)).toBeUndefined()
    expect(openToken('secret-one', 'slack:T1:U2', sealed)).toBeUndefined()
    expect(openToken('secret-one', 'slack:T1:U1', sealed.slice(0, -2) + 'AA')).toBeUndefined()
  })
})
