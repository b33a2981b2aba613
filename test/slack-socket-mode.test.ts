// Socket Mode: with SLACK_APP_TOKEN set, the app opens a connection through apps.connections.open (with the app
// token) and a WebSocket, acknowledges envelopes over it and handles slash commands like the HTTP receiver does.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { actionIdsIn, defaultDraftText, startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { memberId, slashCommandPayload } from '../testing/fakes/fake-slack-payloads.js'
import { dumpStore } from '../testing/support/test-core.js'

let harness: SlackTestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('Slack Socket Mode', () => {
  it('connects with the app token and handles a slash command', async () => {
    harness = await startSlackTestApp({ socketMode: true })
    expect(harness.app.mode).toBe('socket')
    expect(harness.app.port).toBeUndefined()
    const open = harness.slack.callsTo('apps.connections.open')
    expect(open).toHaveLength(1)
    expect(open[0]?.token).toBe('xapp-test-token')
    await harness.slack.socketMode.waitForConnection()

    const ack = await harness.slack.socketMode.send('slash_commands', slashCommandPayload({ command: '/hyperalign', text: 'help', responseUrl: harness.slack.responseUrl('socket-help') }))
    expect(visibleText(ack.payload)).toContain('/draft')
  })

  it('acknowledges /draft over the socket, then shows the draft through response_url', async () => {
    harness = await startSlackTestApp({ socketMode: true })
    await harness.enable()
    await harness.optIn(memberId)
    await harness.slack.socketMode.waitForConnection()

    const ack = await harness.slack.socketMode.send('slash_commands', slashCommandPayload({ command: '/draft', text: 'tell the team the deploy moves to friday', responseUrl: harness.slack.responseUrl('socket-draft') }))
    expect(visibleText(ack.payload)).toContain('Drafting in your voice')

    const shown = await harness.waitForResponse('socket-draft', (body) => actionIdsIn(body.blocks).includes(actionIds.draftPost))
    expect(visibleText(shown.body)).toContain(defaultDraftText)
  })

  it('acknowledges envelopes of the wrong shape without handling them, logs them, and goes on serving', async () => {
    harness = await startSlackTestApp({ socketMode: true })
    await harness.enable()
    await harness.optIn(memberId)
    await harness.slack.socketMode.waitForConnection()
    const before = await dumpStore(harness.testCore.store)

    // The SDK read payload.event.type of every events_api envelope unguarded: one such envelope stopped the process.
    const withoutEvent = await harness.slack.socketMode.send('events_api', { type: 'event_callback', team_id: 'T00FAKETEAM1' })
    const nullCommand = await harness.slack.socketMode.send('slash_commands', null as unknown as Record<string, unknown>)
    const noActions = await harness.slack.socketMode.send('interactive', { type: 'block_actions', user: { id: memberId }, team: { id: 'T00FAKETEAM1' }, actions: null })

    for (const ack of [withoutEvent, nullCommand, noActions]) expect(ack.payload).toEqual({})
    expect(harness.logs.filter((line) => line.event === 'slack_request_malformed')).toHaveLength(3)
    expect(await dumpStore(harness.testCore.store)).toEqual(before)
    const help = await harness.slack.socketMode.send('slash_commands', slashCommandPayload({ command: '/hyperalign', text: 'help', responseUrl: harness.slack.responseUrl('socket-after-malformed') }))
    expect(visibleText(help.payload)).toContain('/draft')
  })

  it('serves the OAuth redirect on PORT when members may post as themselves (Socket Mode has no other HTTP)', async () => {
    const port = await freePort()
    harness = await startSlackTestApp({
      socketMode: true,
      settings: { PORT: String(port), SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'test-client-secret', SLACK_REDIRECT_URL: `http://localhost:${port}/slack/oauth/callback` },
    })
    await harness.slack.socketMode.waitForConnection()
    // Bolt starts that server without waiting for it to listen: give it a moment.
    let response: Response | undefined
    for (let attempt = 0; attempt < 50 && !response; attempt++) {
      response = await fetch(`http://127.0.0.1:${port}/slack/oauth/callback?code=x&state=forged`).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50))
        return undefined
      })
    }
    expect(response?.status).toBe(400)
    expect(await response?.text()).toContain('expired or is not valid')
  })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
