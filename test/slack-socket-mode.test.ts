// Socket Mode: with SLACK_APP_TOKEN set, the app opens a connection through apps.connections.open (with the app
// token) and a WebSocket, acknowledges envelopes over it and handles slash commands like the HTTP receiver does.
import { afterEach, describe, expect, it } from 'vitest'
import { actionIds } from '../adapters/slack/action-ids.js'
import { actionIdsIn, defaultDraftText, startSlackTestApp, visibleText, type SlackTestApp } from './fakes/fake-slack-app-harness.js'
import { memberId, slashCommandPayload } from './fakes/fake-slack-payloads.js'

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
})
