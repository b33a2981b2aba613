// The whole bot as a real process (`app/main.ts`) serving Slack (HTTP) and Discord against the fakes: a payload
// that used to stop the process for every workspace is answered or dropped, and the process goes on serving. And
// the process-wide guard: an error nothing contained is logged with its stack, then the process exits with code 1.
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { signingSecret } from '../testing/fakes/fake-slack-app-harness.js'
import { memberId, slashCommand } from '../testing/fakes/fake-slack-payloads.js'
import { postSignedToSlackApp } from '../testing/fakes/fake-slack-signed-request.js'
import { FakeSlackWebApi } from '../testing/fakes/fake-slack-web-api.js'
import { startFakeDiscord, type FakeDiscord } from '../testing/fakes/fake-discord-harness.js'
import { fakeIds, fakeUsers, makeMessage, nextSnowflake } from '../testing/fakes/fake-discord-payloads.js'
import { makeButtonInteraction, makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { runProcess, type BotProcess } from '../testing/support/bot-process.js'
import { freePort } from '../testing/support/free-port.js'

const source = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url))

let bot: BotProcess | undefined
let slack: FakeSlackWebApi | undefined
let discord: FakeDiscord | undefined
afterEach(async () => {
  await bot?.stop()
  await slack?.close()
  await discord?.close()
  bot = slack = discord = undefined
})

describe('one payload never stops the bot process', () => {
  it('survives a signed null Slack body and a Discord interaction discord.js cannot build, and answers the next requests', { timeout: 90_000 }, async () => {
    slack = await FakeSlackWebApi.start()
    slack.addUser({ id: memberId, name: 'member', real_name: 'Member One' })
    discord = await startFakeDiscord()
    const port = await freePort()
    bot = runProcess('app/main.ts', (directory) => ({
      STORE_URL: `sqlite://${join(directory, 'store.sqlite')}`,
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_API_KEY: 'test-key',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack!.apiUrl,
      PORT: String(port),
      ...discord!.environment,
    }))
    await Promise.all([bot.waitForLog('discord_ready', 60_000), bot.waitForLog('slack_started', 60_000)])
    const eventsUrl = `http://127.0.0.1:${port}/slack/events`

    const poisoned = await postSignedToSlackApp(eventsUrl, { kind: 'raw', raw: 'null', contentType: 'application/json' }, { signingSecret })
    expect(poisoned.status).toBe(400)
    const help = await postSignedToSlackApp(eventsUrl, slashCommand({ command: '/hyperalign', text: 'help', responseUrl: slack.responseUrl('process-help') }), { signingSecret })
    expect(help.status).toBe(200)
    expect(help.text).toContain('/draft')

    const carrier = { ...makeMessage({ author: fakeUsers.bot, channelId: fakeIds.publicChannel, content: 'a draft' }), interaction_metadata: { id: nextSnowflake(), type: 2, user: fakeUsers.alice } }
    await discord.gateway.dispatch('INTERACTION_CREATE', makeButtonInteraction({ customId: 'not-used', user: fakeUsers.alice, message: carrier }))
    const command = makeSlashInteraction({ name: 'hyperalign', user: fakeUsers.alice, options: [{ name: 'help', type: 1 }] })
    await discord.gateway.dispatch('INTERACTION_CREATE', command)
    await discord.rest.waitForCall((call) => call.method === 'POST' && call.path === `/interactions/${command.id}/${command.token}/callback`, 30_000)

    // stderr arrives on its own channel, so wait for the lines rather than assume them.
    await Promise.all([bot.waitForLog('slack_request_malformed'), bot.waitForLog('discord_event_failed')])
    expect(bot.child.exitCode).toBeNull()
    expect(bot.logs().some((line) => line.event === 'process_crashed')).toBe(false)
  })
})

describe('the process-wide guard', () => {
  const script = (fault: string) => `
    const { installProcessGuard } = await import(${JSON.stringify(source('src/process-guard.ts'))})
    const { createLogger } = await import(${JSON.stringify(source('src/logger.ts'))})
    installProcessGuard(createLogger('info'))
    setTimeout(() => { ${fault} }, 10)
    setTimeout(() => {}, 60_000)
  `

  it.each([
    ['an uncaught exception', "throw new Error('thrown where nothing catches it')", 'uncaught_exception', 'thrown where nothing catches it'],
    ['an unhandled rejection', "void Promise.reject(new Error('rejected where nothing awaits it'))", 'unhandled_rejection', 'rejected where nothing awaits it'],
  ])('logs %s with its stack and exits with code 1', { timeout: 60_000 }, async (_name, fault, kind, message) => {
    bot = runProcess(script(fault), {}, { inline: true })
    const { code } = await bot.exited
    expect(code).toBe(1)
    const crash = bot.logs().find((line) => line.event === 'process_crashed')
    expect(crash, bot.stderr()).toMatchObject({ level: 'error', kind, error: { message } })
    expect(String(crash!.stack)).toMatch(new RegExp(`${message}\\n\\s+at `))
  })
})
