// Settings: the schema and .env.example list exactly the same keys, defaults are sane, and a bad value gives a
// startup error that names the variable and where to get a good one.
import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { configKeys, parseConfig } from '../src/config.js'

describe('config', () => {
  it('.env.example documents exactly the schema’s keys', () => {
    const documented = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1])
    expect([...documented].sort()).toEqual([...configKeys].sort())
  })

  it('an .env copied from .env.example (every value empty) starts like no settings at all: empty means unset', () => {
    // parseEnv is the parser behind process.loadEnvFile, which loadConfig uses for `.env`.
    const copied = parseEnv(readFileSync('.env.example', 'utf8'))
    expect(Object.values(copied).every((value) => value === '')).toBe(true)
    expect(parseConfig(copied)).toEqual(parseConfig({}))
  })

  it('an empty or blank value means unset for every setting, with or without spaces', () => {
    const blank = Object.fromEntries(configKeys.map((key, index) => [key, index % 2 ? '' : '   ']))
    expect(parseConfig(blank)).toEqual(parseConfig({}))
  })

  it('runs on embedded defaults with no settings at all', () => {
    const config = parseConfig({})
    expect(config.STORE_URL).toBe('sqlite://./data/hyperalign.sqlite')
    expect(config.LLM_PROVIDER).toBe('auto')
    expect(config.safetyModel).toBe(config.LLM_MODEL)
    expect(config.slackEnabled || config.discordEnabled).toBe(false)
    expect(config.LLM_MAX_CONCURRENCY).toBeGreaterThan(0)
  })

  it('accepts the OpenAI SDK’s variable names as fallbacks', () => {
    const config = parseConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', LLM_SAFETY_MODEL: 'judge' })
    expect(config.LLM_API_KEY).toBe('sk-test')
    expect(config.LLM_BASE_URL).toBe('http://127.0.0.1:1/v1')
    expect(config.safetyModel).toBe('judge')
  })

  it.each([
    [{ STORE_URL: 'mysql://x' }, /STORE_URL: must start with sqlite:\/\//],
    [{ LLM_TIMEOUT_MS: 'soon' }, /LLM_TIMEOUT_MS: must be a whole number/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: .*one of debug, info, warn, error/],
    [{ SLACK_SIGNING_SECRET: 'abc' }, /SLACK_BOT_TOKEN is required .*OAuth & Permissions/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /SLACK_SIGNING_SECRET is required .*Signing Secret.*SLACK_APP_TOKEN/],
    [{ DISCORD_TOKEN: 'abc' }, /DISCORD_APP_ID is required .*Application ID/],
    [{ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 's' }, /SLACK_REDIRECT_URL is required to let members post as themselves .*\/slack\/oauth\/callback/],
  ])('names the variable and where to get it: %o', (environment, message) => {
    expect(() => parseConfig(environment)).toThrow(message)
    try {
      parseConfig(environment)
    } catch (error) {
      expect(error).toMatchObject({ code: 'config_invalid' })
    }
  })
})
