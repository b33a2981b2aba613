// The composition root picks the adapters from the settings and knows them only as PlatformAdapter: the console when
// no platform is configured, Slack and/or Discord when their settings are. Nothing connects until start.
import { describe, expect, it } from 'vitest'
import { platformAdapters } from '../app/platform-adapters.js'
import { parseConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'

const consoleOptions = { samplePath: 'examples/sample-conversation.jsonl', modelDescription: 'fake' }
const slack = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'test-secret' }
const discord = { DISCORD_TOKEN: 'test-token', DISCORD_APP_ID: '100000000000000001' }
const names = (settings: Record<string, string>) => platformAdapters(parseConfig(settings), silentLogger, consoleOptions).map((adapter) => adapter.name)

describe('composition root', () => {
  it('starts the console when no platform is configured, and Slack and Discord when their settings are', () => {
    expect(names({})).toEqual(['console'])
    expect(names(slack)).toEqual(['slack'])
    expect(names(discord)).toEqual(['discord'])
    expect(names({ ...slack, ...discord })).toEqual(['slack', 'discord'])
  })

  it('says what each platform can do, so an operator (and the README) need not guess', () => {
    const adapters = platformAdapters(parseConfig({ ...slack, ...discord }), silentLogger, consoleOptions)
    const [terminal] = platformAdapters(parseConfig({}), silentLogger, consoleOptions)
    expect(Object.fromEntries([...adapters, terminal!].map((adapter) => [adapter.name, adapter.capabilities]))).toEqual({
      slack: { learnsFromMessages: true, drafts: true, postsDrafts: true, answers: false, backfill: true, imports: false },
      discord: { learnsFromMessages: true, drafts: true, postsDrafts: true, answers: true, backfill: true, imports: false },
      console: { learnsFromMessages: true, drafts: true, postsDrafts: false, answers: true, backfill: false, imports: true },
    })
  })
})
