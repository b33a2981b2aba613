// Validly signed requests of the wrong shape, and signed requests from the future, sent to the real Bolt app the way
// a broken peer or an attacker with a captured signature would: each is answered at once (400 or 401), logged
// without member text, changes nothing, and the app goes on serving the next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dumpStore } from '../testing/support/test-core.js'
import { startSlackTestApp, signingSecret, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { assistantThreadEvent, blockAction, channelMessage, eventCallback, memberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { encodeSlackBody, signSlackBody, type SlackBody } from '../testing/fakes/fake-slack-signed-request.js'

let harness: SlackTestApp
beforeAll(async () => {
  harness = await startSlackTestApp()
  await harness.enable()
  await harness.optIn(memberId)
})
afterAll(async () => {
  await harness?.close()
})

const json = (value: unknown): SlackBody => ({ kind: 'raw', raw: JSON.stringify(value), contentType: 'application/json' })
const interactive = (payload: string): SlackBody => ({ kind: 'raw', raw: new URLSearchParams({ payload }).toString(), contentType: 'application/x-www-form-urlencoded' })
const form = (fields: Record<string, string>): SlackBody => ({ kind: 'form', fields })

const click = () => {
  const body = blockAction({ actionId: 'member_opt_out', value: 'out', responseUrl: harness.slack.responseUrl('malformed') })
  return body.kind === 'interactive' ? body.payload : {}
}
const without = (record: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(record).filter(([name]) => name !== key))
const envelope = (event: Record<string, unknown>) => {
  const body = eventCallback(event)
  return body.kind === 'event' ? body.envelope : {}
}
const commandFields = () => {
  const body = slashCommand({ command: '/hyperalign', text: 'optout', responseUrl: harness.slack.responseUrl('malformed') })
  return body.kind === 'form' ? body.fields : {}
}

const marker = 'MEMBER-TEXT-MUST-NOT-BE-LOGGED'

const malformed: [string, () => SlackBody][] = [
  ['a JSON body of null', () => json(null)],
  ['a form body of payload=null', () => interactive('null')],
  ['a JSON string', () => json('abc')],
  ['a JSON number', () => json(42)],
  ['an empty JSON object', () => json({})],
  ['a body that is not JSON', () => ({ kind: 'raw', raw: '{"type":', contentType: 'application/json' })],
  ['an event_callback without event', () => json(without(envelope(channelMessage({ text: marker, ts: '1700000300.000100' })), 'event'))],
  ['a message event whose text is an object', () => json(envelope({ ...channelMessage({ text: marker, ts: '1700000301.000100' }), text: {} }))],
  ['block_actions without actions', () => interactive(JSON.stringify(without(click(), 'actions')))],
  ['block_actions with actions: null', () => interactive(JSON.stringify({ ...click(), actions: null }))],
  ['block_actions without user', () => interactive(JSON.stringify(without(click(), 'user')))],
  ['a slash command without text', () => form(without(commandFields(), 'text') as Record<string, string>)],
  ['an assistant_thread_started event without assistant_thread', () => json(envelope(without(assistantThreadEvent('assistant_thread_started', { threadTs: '1700000400.000100' }), 'assistant_thread')))],
  ['an assistant thread whose thread_ts is not a timestamp', () => json(envelope(assistantThreadEvent('assistant_thread_started', { threadTs: `${marker} 1700000401` })))],
  ['an assistant thread whose user_id is a number', () => json(envelope({ ...assistantThreadEvent('assistant_thread_started', { threadTs: '1700000402.000100' }), assistant_thread: { user_id: 42, channel_id: 'D00FAKEDM001', thread_ts: '1700000402.000100', context: {} } }))],
  ['an assistant_thread_context_changed whose viewed channel is an object', () => json(envelope({ ...assistantThreadEvent('assistant_thread_context_changed', { threadTs: '1700000403.000100' }), assistant_thread: { user_id: memberId, channel_id: 'D00FAKEDM001', thread_ts: '1700000403.000100', context: { channel_id: { text: marker } } } }))],
]

describe('Slack requests of the wrong shape', () => {
  it.each(malformed)('answers %s with 400 at once, logs it without member text, and changes nothing', async (_name, build) => {
    const before = await dumpStore(harness.testCore.store)
    const callsBefore = harness.slack.calls.length
    const logsBefore = harness.logs.length

    const response = await harness.send(build())

    expect(response.status).toBe(400)
    const logged = harness.logs.slice(logsBefore)
    expect(logged.map((line) => line.event)).toContain('slack_request_malformed')
    expect(JSON.stringify(logged)).not.toContain(marker)
    expect(await dumpStore(harness.testCore.store)).toEqual(before)
    expect(harness.slack.calls.length).toBe(callsBefore)
    expect(harness.modelCalls()).toHaveLength(0)
  })

  it('goes on serving well-formed requests after all of them, and still answers ssl_check and url_verification', async () => {
    const { response, responseUrlId } = await harness.command('/hyperalign', 'help')
    expect(response.status).toBe(200)
    expect(responseUrlId).toBeDefined()
    const sslCheck = await harness.send(form({ ssl_check: '1', token: 'legacy-verification-token' }), { signature: 'v0=unsigned' })
    expect(sslCheck.status).toBe(200)
    const challenge = await harness.send({ kind: 'event', envelope: { type: 'url_verification', token: 'legacy', challenge: 'challenge-456' } })
    expect(challenge.json).toEqual({ challenge: 'challenge-456' })
    expect((await harness.testCore.core.profile(harness.actor(memberId), harness.member(memberId))).optedIn).toBe(true)
  })
})

describe('Slack request timestamps', () => {
  const now = () => Math.floor(Date.now() / 1000)
  const signedAt = (body: SlackBody, timestampSeconds: number) => ({ timestampSeconds, signature: signSlackBody(signingSecret, timestampSeconds, encodeSlackBody(body).raw) })

  it.each([
    ['ten minutes', 10 * 60],
    ['an hour', 60 * 60],
    ['ten years', 10 * 365 * 24 * 60 * 60],
  ])('answers a correctly signed request timestamped %s in the future with 401 and stores nothing', async (_name, aheadSeconds) => {
    const before = await dumpStore(harness.testCore.store)
    const body = eventCallback(channelMessage({ text: 'a message from the future', ts: `${1700000400 + aheadSeconds}.000100` }))

    const response = await harness.send(body, signedAt(body, now() + aheadSeconds))

    expect(response.status).toBe(401)
    expect(await dumpStore(harness.testCore.store)).toEqual(before)
    expect(harness.logs.some((line) => line.event === 'slack_request_rejected' && line.fields.reason === 'timestamp_out_of_range')).toBe(true)
  })

  it('accepts a request four minutes ahead, within the five minutes of clock skew Slack allows either way', async () => {
    const body = eventCallback(channelMessage({ text: 'a message from a fast clock', ts: '1700000500.000100' }))
    const response = await harness.send(body, signedAt(body, now() + 4 * 60))
    expect(response.status).toBe(200)
    await expect.poll(async () => (await harness.storedAbout(memberId)).join('\n')).toContain('a message from a fast clock')
  })
})
