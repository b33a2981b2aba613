// The HTTP receiver's front door: Slack's v0 signature and timestamp are checked before anything happens, and a
// request that fails gets 401 with nothing stored, nothing drafted and nothing sent to Slack.
import { Agent, request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { dumpStore } from '../testing/support/test-core.js'
import { startSlackTestApp, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { channelMessage, eventCallback, memberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { signSlackBody, encodeSlackBody } from '../testing/fakes/fake-slack-signed-request.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

async function readyHarness(): Promise<SlackTestApp> {
  const started = await startSlackTestApp()
  await started.enable()
  await started.optIn(memberId)
  return started
}

const historySize = async (app: SlackTestApp) => (await app.testCore.core.profile(app.actor(memberId), app.member(memberId))).historySize

/** Slack calls other than the start-up auth.test. */
const slackCallsAfterStart = (slack: SlackTestApp['slack']) => slack.calls.filter((call) => call.method !== 'auth.test')

describe('Slack request verification', () => {
  it('answers a bad signature with 401 and stores, drafts and sends nothing', async () => {
    harness = await readyHarness()
    const before = await dumpStore(harness.testCore.store)

    const event = await harness.send(eventCallback(channelMessage({ text: 'learn this please', ts: '1700000100.000100' })), { signature: 'v0=' + '0'.repeat(64) })
    const command = await harness.send(slashCommand({ command: '/draft', text: 'say hi', responseUrl: harness.slack.responseUrl('bad-signature') }), { signingSecret: 'not-the-secret' })

    expect(event.status).toBe(401)
    expect(command.status).toBe(401)
    expect(await dumpStore(harness.testCore.store)).toEqual(before)
    expect(harness.modelCalls()).toHaveLength(0)
    expect(slackCallsAfterStart(harness.slack)).toEqual([])
    // A correctly signed message sent afterwards is stored, so the silence above was not just slowness.
    await harness.send(eventCallback(channelMessage({ text: 'a correctly signed message', ts: '1700000101.000100' })))
    await expect.poll(() => historySize(harness!)).toBe(1)
    expect((await harness.storedAbout(memberId)).join('\n')).not.toContain('learn this please')
  })

  it('answers a stale timestamp with 401 even when the signature matches it, and stores nothing', async () => {
    harness = await readyHarness()
    const before = await dumpStore(harness.testCore.store)
    const stale = Math.floor(Date.now() / 1000) - 6 * 60
    const body = eventCallback(channelMessage({ text: 'an old replayed message', ts: '1700000200.000100' }))
    const { raw } = encodeSlackBody(body)

    const response = await harness.send(body, { timestampSeconds: stale, signature: signSlackBody('test-signing-secret-0123456789', stale, raw) })

    expect(response.status).toBe(401)
    expect(await dumpStore(harness.testCore.store)).toEqual(before)
    expect(slackCallsAfterStart(harness.slack)).toEqual([])
    await harness.send(eventCallback(channelMessage({ text: 'a fresh message', ts: '1700000201.000100' })))
    await expect.poll(() => historySize(harness!)).toBe(1)
    expect((await harness.storedAbout(memberId)).join('\n')).not.toContain('an old replayed message')
  })

  it('answers the url_verification challenge and a health check', async () => {
    harness = await startSlackTestApp()
    const challenge = await harness.send({ kind: 'event', envelope: { type: 'url_verification', token: 'legacy', challenge: 'challenge-123' } })
    expect(challenge.status).toBe(200)
    expect(challenge.text).toContain('challenge-123')
    const health = await fetch(harness.eventsUrl.replace('/slack/events', '/healthz'))
    expect(health.status).toBe(200)
  })
})

describe('Slack HTTP connections', () => {
  it('keeps an idle connection open for 65 s, past a load balancer idle timeout of 60 s, not Node default 5 s', async () => {
    harness = await startSlackTestApp()
    const url = new URL(harness.eventsUrl.replace('/slack/events', '/healthz'))
    // node:http, not fetch: fetch hides the hop-by-hop Keep-Alive header that tells the client how long it may reuse the socket.
    const agent = new Agent({ keepAlive: true })
    try {
      const keepAlive = await new Promise<unknown>((resolve, reject) => {
        request(url, { agent }, (response) => {
          response.resume()
          resolve(response.headers['keep-alive'])
        })
          .on('error', reject)
          .end()
      })
      expect(keepAlive).toBe('timeout=65')
    } finally {
      agent.destroy()
    }
  })
})
