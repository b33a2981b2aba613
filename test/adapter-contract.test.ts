// The contract every adapter passes (DESIGN §5): the same member stories, driven through Slack (signed requests,
// fake Web API), Discord (fake gateway and REST) and the console (stdin), each a PlatformAdapter started on the real
// core. A driver only knows how to act on its platform; the assertions are shared.
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createConsoleAdapter } from '../adapters/console/console-adapter.js'
import type { PlatformAdapter } from '../src/core/platform-adapter.js'
import type { MemberRef } from '../src/core/types.js'
import { startDiscordTestBot, type DiscordTestBot } from '../testing/fakes/fake-discord-bot-harness.js'
import { fakeIds, fakeUsers, makeMessage } from '../testing/fakes/fake-discord-payloads.js'
import { makeSlashInteraction } from '../testing/fakes/fake-discord-interactions.js'
import { startSlackTestApp, visibleText, type SlackTestApp } from '../testing/fakes/fake-slack-app-harness.js'
import { channelMessage, eventCallback, memberId } from '../testing/fakes/fake-slack-payloads.js'
import { comply, scriptedHandler } from '../testing/support/scripted-model.js'
import { actorFor, createTestCore, dumpStore, type TestCore } from '../testing/support/test-core.js'

type ModelScript = { refuse?: (stage: 'safety_request' | 'safety_output') => string[] | undefined; draft?: () => string }

type Driver = {
  /** Everything the member was shown privately in answer to the last action, as text. */
  draft(intent: string): Promise<string>
  optIn(): Promise<void>
  /** The member writes in a public channel where learning is allowed; `bot` for a bot's message. */
  say(text: string, options?: { bot?: boolean }): Promise<void>
  member: MemberRef
  core: TestCore
  /** The adapter as the composition root sees it (for the console, the one that ran last). */
  adapter(): PlatformAdapter
  close(): Promise<void>
}

type DriverFactory = (script: ModelScript) => Promise<Driver>

let sequence = 0

const slackDriver: DriverFactory = async (script) => {
  const harness: SlackTestApp = await startSlackTestApp({ model: script })
  await harness.enable()
  return {
    member: harness.member(memberId),
    core: harness.testCore,
    adapter: () => harness.app,
    optIn: () => harness.optIn(memberId),
    async say(text, options = {}) {
      sequence += 1
      const event = channelMessage({ text, ts: `17000${String(sequence).padStart(5, '0')}.000100`, ...(options.bot ? { botId: 'B00OTHERBOT1', subtype: 'bot_message' } : {}) })
      await harness.send(eventCallback(event))
    },
    async draft(intent) {
      const { responseUrlId } = await harness.command('/draft', intent)
      // The ack (the HTTP response) says "drafting…"; the outcome is the first private message after it.
      const reply = await harness.waitForResponse(responseUrlId)
      return visibleText(reply.body)
    },
    close: () => harness.close(),
  }
}

const discordDriver: DriverFactory = async (script) => {
  const bot: DiscordTestBot = await startDiscordTestBot({ model: script })
  await bot.enable()
  let observed = 0
  return {
    member: bot.member(fakeIds.memberAlice),
    core: bot.testCore,
    adapter: () => bot.bot,
    optIn: () => bot.optIn(fakeIds.memberAlice),
    async say(text, options = {}) {
      await bot.sendMessage(makeMessage({ author: options.bot ? fakeUsers.otherBot : fakeUsers.alice, channelId: fakeIds.publicChannel, content: text }))
      observed += 1
      await bot.waitForObserved(observed)
    },
    async draft(intent) {
      const interaction = makeSlashInteraction({ name: 'draft', user: fakeUsers.alice, options: [{ name: 'intent', type: 3, value: intent }] })
      await bot.interact(interaction)
      return JSON.stringify(await bot.waitForEdit(interaction))
    },
    close: () => bot.close(),
  }
}

const consoleDriver: DriverFactory = async (script) => {
  const core = await createTestCore({
    server: {
      handler: scriptedHandler({
        verdict: (_request, stage) => {
          const rules = script.refuse?.(stage === 'request' ? 'safety_request' : 'safety_output')
          return rules ? { analysis: `Refused by the test script under ${rules.join(', ')}.`, decision: 'refuse', rule_ids: rules } : comply
        },
        text: () => script.draft?.() ?? 'hey all, quick heads up: the deploy moves to friday. thanks!',
      }),
    },
  })
  let adapter: PlatformAdapter | undefined
  // Each batch of typed lines is one console session: started on the core, finished when its input ends.
  const run = async (lines: string[]) => {
    const input = new PassThrough()
    const output = new PassThrough()
    let text = ''
    output.on('data', (chunk) => (text += chunk))
    input.end(['as ana', ...lines, 'quit'].join('\n') + '\n')
    adapter = createConsoleAdapter({ input, output, samplePath: 'examples/sample-conversation.jsonl', modelDescription: 'fake' })
    await adapter.start(core.core)
    await adapter.finished!()
    await adapter.stop()
    return text
  }
  await run([]) // the console switches its workspace on at the first start
  return {
    member: { platform: 'console', workspaceId: 'local', userId: 'ana' },
    core,
    adapter: () => adapter!,
    optIn: async () => void (await run(['optin'])),
    // The console has no bots; a bot message is simply never typed there, which the contract accepts.
    say: async (text, options = {}) => void (options.bot ? undefined : await run([`say ${text}`])),
    draft: async (intent) => run([`draft ${intent}`]),
    close: () => core.close(),
  }
}

const drivers: [string, DriverFactory][] = [
  ['slack', slackDriver],
  ['discord', discordDriver],
  ['console', consoleDriver],
]

let driver: Driver | undefined
afterEach(async () => {
  await driver?.close()
  driver = undefined
})

const historySize = async (target: Driver) => (await target.core.core.profile(actorFor(target.member), target.member)).historySize

describe.each(drivers)('adapter contract: %s', (name, start) => {
  it('is a PlatformAdapter: named after its platform, says what it can do, serves the core it was started with', async () => {
    driver = await start({})
    const adapter = driver.adapter()
    expect(adapter.name).toBe(name)
    expect(adapter.name).toBe(driver.member.platform)
    for (const can of Object.values(adapter.capabilities)) expect(typeof can).toBe('boolean')
    // Every platform learns as members write and drafts in their voice; the rest differs and is said, not guessed.
    expect(adapter.capabilities).toMatchObject({ learnsFromMessages: true, drafts: true })
    await driver.optIn()
    await driver.say('learned through the adapter contract')
    await expect.poll(() => historySize(driver!)).toBe(1)
  })

  it('learns nothing from a member who has not opted in, and nothing from bots', async () => {
    driver = await start({})
    await driver.say('NOT-OPTED-IN-TEXT before consent')
    expect((await dumpStore(driver.core.store)).join('\n')).not.toContain('NOT-OPTED-IN-TEXT')
    await driver.optIn()
    await driver.say('a bot wrote this', { bot: true })
    await driver.say('after consent this is mine')
    await expect.poll(() => historySize(driver!)).toBe(1)
    const stored = (await dumpStore(driver.core.store)).join('\n')
    expect(stored).toContain('after consent this is mine')
    expect(stored).not.toContain('a bot wrote this')
  })

  it('answers a draft request from a member who has not opted in with the way to opt in, calling no model', async () => {
    driver = await start({})
    const shown = await driver.draft('tell the team the deploy moves to friday')
    expect(shown).toMatch(/opt/i)
    expect(shown).not.toContain('quick heads up')
    expect(driver.core.server.chatRequests()).toHaveLength(0)
  })

  it('shows an opted-in member their draft privately', async () => {
    driver = await start({ draft: () => 'CONTRACT-DRAFT deploy moves to friday' })
    await driver.optIn()
    expect(await driver.draft('tell the team the deploy moves to friday')).toContain('CONTRACT-DRAFT deploy moves to friday')
  })

  it('shows the rule of a refusal, never the refused text', async () => {
    driver = await start({ draft: () => 'REFUSED-TEXT promising a raise', refuse: (stage) => (stage === 'safety_output' ? ['W2'] : undefined) })
    await driver.optIn()
    const shown = await driver.draft('promise everyone a raise')
    expect(shown).toContain('W2')
    expect(shown).not.toContain('REFUSED-TEXT')
  })

  it('answers an oversized request with the limit, calling no model', async () => {
    driver = await start({})
    await driver.optIn()
    const shown = await driver.draft('x'.repeat(5000))
    expect(shown).toMatch(/limit is \d+/)
    expect(driver.core.server.chatRequests()).toHaveLength(0)
  })
})
