// A message event is acknowledged to Slack only once it is stored: the real app on a real Redis behind a TCP proxy
// that the test cuts mid-run. During the outage the event gets a non-2xx (HTTP) or no acknowledgement (Socket Mode),
// so Slack delivers it again; the redelivery after the store is back stores it exactly once. Commands still ack first.
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { openStore } from '../src/store/open-store.js'
import { startSlackTestApp, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { channelMessage, eventCallback, memberId, slashCommandPayload } from '../testing/fakes/fake-slack-payloads.js'
import { startTcpProxy, type TcpProxy } from '../testing/support/tcp-proxy.js'

// Its own Redis database, so neither the store suite nor the scale-out test races this file.
const directUrl = new URL(loadConfig().TEST_REDIS_URL.replace(/\/\d+$/, '') + '/12')

let harness: SlackTestApp | undefined
let proxy: TcpProxy | undefined
afterEach(async () => {
  await proxy?.restore()
  await harness?.testCore.store.clear().catch(() => {})
  await harness?.close()
  await proxy?.close()
  harness = undefined
  proxy = undefined
})

async function appBehindProxy(options: { socketMode?: boolean } = {}): Promise<SlackTestApp> {
  const cleaner = await openStore(directUrl.toString())
  await cleaner.clear()
  await cleaner.close()
  proxy = await startTcpProxy({ host: directUrl.hostname, port: Number(directUrl.port || 6379) })
  const storeUrl = `redis://127.0.0.1:${proxy.port}${directUrl.pathname}`
  const started = await startSlackTestApp({ storeUrl, ...(options.socketMode ? { socketMode: true } : {}) })
  await started.enable()
  await started.optIn(memberId)
  return started
}

const storedTexts = async (app: SlackTestApp) => (await app.storedAbout(memberId)).join('\n')
const countOf = (haystack: string, needle: string) => haystack.split(needle).length - 1
const logged = (app: SlackTestApp, event: string) => app.logs.some((line) => line.event === event)

/** Resends like Slack does after a failed delivery, until the store answers again (Slack retries three times). */
async function retryUntilAcknowledged(app: SlackTestApp, body: Parameters<SlackTestApp['send']>[0]): Promise<number> {
  for (let retryNum = 1; retryNum <= 3; retryNum++) {
    const response = await app.send(body, { retryNum, retryReason: 'http_error' })
    if (response.status === 200) return retryNum
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('the redelivered message was never acknowledged')
}

describe('Slack message events and a store outage (HTTP)', () => {
  it('answers a message event with a non-2xx while the store is cut, and stores it once when Slack retries after the store is back', async () => {
    harness = await appBehindProxy()
    const before = await harness.send(eventCallback(channelMessage({ text: 'stored before the outage', ts: '1700000600.000100' })))
    expect(before.status).toBe(200)
    expect(await storedTexts(harness)).toContain('stored before the outage')

    await proxy!.cut()
    const lost = eventCallback(channelMessage({ text: 'sent during the outage', ts: '1700000601.000100' }), 'EvOUTAGE0001')
    const during = await harness.send(lost)
    expect(during.status).toBeGreaterThanOrEqual(500)
    expect(logged(harness, 'slack_event_unacknowledged')).toBe(true)
    // Everything else still acknowledges first: a command is answered 200 while the store is down.
    const { response: command } = await harness.command('/hyperalign', 'help')
    expect(command.status).toBe(200)

    await proxy!.restore()
    await retryUntilAcknowledged(harness, lost)
    expect(countOf(await storedTexts(harness), 'sent during the outage')).toBe(1)
    // A further redelivery (or a second process receiving it) stores nothing twice.
    const again = await harness.send(lost, { retryNum: 3, retryReason: 'http_timeout' })
    expect(again.status).toBe(200)
    expect(countOf(await storedTexts(harness), 'sent during the outage')).toBe(1)
  })
})

describe('Slack message events and a store outage (Socket Mode)', () => {
  it('leaves a message envelope unacknowledged while the store is cut, and stores it once when Slack redelivers it', async () => {
    harness = await appBehindProxy({ socketMode: true })
    const socket = harness.slack.socketMode
    await socket.waitForConnection()
    const envelopeOf = (body: ReturnType<typeof eventCallback>) => (body.kind === 'event' ? body.envelope : {})

    await proxy!.cut()
    const lost = envelopeOf(eventCallback(channelMessage({ text: 'sent over the socket during the outage', ts: '1700000700.000100' }), 'EvOUTAGE0002'))
    let acknowledged = false
    void socket.send('events_api', lost).then(() => (acknowledged = true))
    await expect.poll(() => logged(harness!, 'slack_event_unacknowledged'), { timeout: 15_000 }).toBe(true)
    // Acks travel in order over the one socket: once a later command is acknowledged, an ack of the message would have arrived.
    await socket.send('slash_commands', slashCommandPayload({ command: '/hyperalign', text: 'help', responseUrl: harness.slack.responseUrl('socket-outage') }))
    expect(acknowledged).toBe(false)

    await proxy!.restore()
    const redelivered = await socket.send('events_api', lost, { retryAttempt: 1 })
    expect(redelivered.envelope_id).toBeDefined()
    expect(countOf(await storedTexts(harness), 'sent over the socket during the outage')).toBe(1)
  })
})
