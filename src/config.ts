// The only reader of the environment: one zod schema, parsed once at startup, with errors that name the variable
// and say where to get a value. Every key here is documented in .env.example (a test keeps the two in step).
import { existsSync } from 'node:fs'
import { z } from 'zod'
import { BotError } from './bot-error.js'

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional()

const integer = (fallback: number, minimum = 0) =>
  z
    .string()
    .trim()
    .transform((value) => (value === '' ? String(fallback) : value))
    .transform(Number)
    .pipe(z.number({ message: 'must be a whole number' }).int().min(minimum))
    .default(fallback)

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  )

const storeUrl = z
  .string()
  .trim()
  .default('sqlite://./data/hyperalign.sqlite')
  .transform((value) => value || 'sqlite://./data/hyperalign.sqlite')
  .refine((value) => /^(sqlite|redis|rediss|postgres|postgresql):\/\//.test(value), {
    message: 'must start with sqlite://, redis://, rediss://, postgres:// or postgresql://',
  })

/**
 * Where the tiny test model is looked for when TEST_MODEL_PATH is unset, in order: where `npm run test:fetch-model`
 * puts it, then the team's shared folder beside the checkout. The first one is reported when neither exists.
 */
export const testModelLocations = ['models/test/stories260K.gguf', '../shared/models/stories260K.gguf'] as const

/** Where to get a value for each variable, used in startup errors. */
const hints: Record<string, string> = {
  STORE_URL: 'e.g. sqlite://./data/hyperalign.sqlite, redis://127.0.0.1:6379 or postgres://user@host:5432/db',
  LLM_PROVIDER: 'one of auto, openai, local',
  LLM_BASE_URL: 'the base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1',
  LLM_API_KEY: 'an API key from your model provider (https://platform.openai.com/api-keys for OpenAI)',
  SLACK_BOT_TOKEN: 'Slack app settings → OAuth & Permissions → Bot User OAuth Token (xoxb-…)',
  SLACK_SIGNING_SECRET: 'Slack app settings → Basic Information → App Credentials → Signing Secret',
  SLACK_APP_TOKEN: 'Slack app settings → Basic Information → App-Level Tokens, scope connections:write (xapp-…)',
  SLACK_CLIENT_ID: 'Slack app settings → Basic Information → App Credentials → Client ID',
  SLACK_CLIENT_SECRET: 'Slack app settings → Basic Information → App Credentials → Client Secret',
  SLACK_REDIRECT_URL: 'the public URL of /slack/oauth/callback, also listed under OAuth & Permissions → Redirect URLs',
  DISCORD_TOKEN: 'Discord Developer Portal → your application → Bot → Reset Token',
  DISCORD_APP_ID: 'Discord Developer Portal → your application → General Information → Application ID',
  LOG_LEVEL: 'one of debug, info, warn, error',
  LEARNING_MODE: 'one of inline (learn in this process), worker (leave it to `npm run worker` processes), off',
  COMPOSE_DURING_CHECK: 'on (compose while the request check runs) or off (compose after it allows the request)',
  LOCAL_MODEL: 'a .gguf file path, an https:// URL or hf:owner/repo/file.gguf; empty for the default model',
  LOCAL_MODEL_SHA256: 'the sha256 of the LOCAL_MODEL file, as listed on its download page',
}

export const configSchema = z.object({
  // Store
  STORE_URL: storeUrl,
  STORE_STARTUP_TIMEOUT_MS: integer(10_000, 100),
  RETRY_QUEUE_MAX_MESSAGES: integer(1000),
  RETRY_QUEUE_MAX_MINUTES: integer(30, 1),
  // Language model (hosted, OpenAI-compatible)
  LLM_PROVIDER: z.enum(['auto', 'openai', 'local']).default('auto'),
  LLM_BASE_URL: optionalText,
  LLM_API_KEY: optionalText,
  LLM_MODEL: z.string().trim().default('gpt-4o-mini'),
  LLM_SAFETY_MODEL: optionalText,
  LLM_TIMEOUT_MS: integer(60_000, 1),
  LLM_MAX_RETRIES: integer(2),
  LLM_MAX_CONCURRENCY: integer(4, 1),
  LLM_DAILY_TOKEN_BUDGET: integer(500_000),
  // Language model (embedded)
  LOCAL_MODEL: optionalText,
  LOCAL_MODEL_SHA256: z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value.toLowerCase()))
    .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits').optional())
    .optional(),
  LOCAL_THREADS: integer(0),
  LOCAL_CONTEXT_SIZE: integer(4096, 256),
  // Three: the request check and the compose run at once, and both checks' safety prompts stay evaluated (README).
  LOCAL_MAX_SEQUENCES: integer(3, 1),
  // Core behaviour
  HISTORY_MAX_MESSAGES: integer(2000, 50),
  IMPORT_BATCH_MESSAGES: integer(2000, 10),
  LEARN_MIN_NEW_MESSAGES: integer(20, 1),
  LEARN_MIN_INTERVAL_MINUTES: integer(60),
  /** How long the observe path reuses a workspace's policy; a change through another process applies within it. */
  POLICY_CACHE_MS: integer(2000),
  LEARN_SAMPLE_SIZE: integer(40, 5),
  LEARNING_MODE: z.enum(['inline', 'worker', 'off']).default('inline'),
  LEARNING_JOB_LEASE_SECONDS: integer(30, 1),
  LEARNING_VERIFY_MESSAGES: integer(3),
  LEARNING_VERIFY_RUN_TOKENS: integer(12_000),
  LEARNING_VERIFY_DAILY_TOKENS: integer(200_000),
  LEARNING_EDIT_PAIRS: integer(8),
  DRAFT_EXAMPLES: integer(5),
  DRAFT_CANDIDATES: integer(1, 1),
  COMPOSE_DURING_CHECK: z.enum(['on', 'off']).default('on'),
  DEFAULT_RETENTION_DAYS: integer(90, 1),
  MAX_INPUT_CHARS: integer(4000, 100),
  MAX_MESSAGE_CHARS: integer(4000, 100),
  // Slack
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: optionalText,
  SLACK_ADMIN_USER_IDS: csv,
  SLACK_BACKFILL_MAX_MESSAGES: integer(300),
  // Optional: members may let the app post their drafts as themselves (a user token each, via Slack OAuth)
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_REDIRECT_URL: optionalText,
  PORT: integer(3000),
  // Discord
  DISCORD_TOKEN: optionalText,
  DISCORD_APP_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: optionalText,
  DISCORD_BACKFILL_MAX_MESSAGES: integer(300),
  // Data for evaluation, benchmarks and tests that use real corpora and the tiny model
  DATA_DIR: z.string().trim().default('../shared/data'),
  TEST_MODEL_PATH: z
    .string()
    .trim()
    .optional()
    .transform((value) => value ?? testModelLocations.find((location) => existsSync(location)) ?? testModelLocations[0]!),
  TEST_REDIS_URL: z.string().trim().default('redis://127.0.0.1:6379/15'),
  TEST_POSTGRES_URL: z.string().trim().default('postgres://postgres@127.0.0.1:5432/test'),
  // Logging
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
})

export type RawConfig = z.output<typeof configSchema>

export type Config = RawConfig & {
  /** Resolved safety model name (LLM_SAFETY_MODEL, else LLM_MODEL). */
  safetyModel: string
  slackEnabled: boolean
  discordEnabled: boolean
}

/** Names of every setting, in schema order (used by the .env.example test and docs). */
export const configKeys = Object.keys(configSchema.shape) as (keyof RawConfig)[]

/** Parse settings from an environment. Tests pass their own object; the app passes process.env. */
export function parseConfig(environment: Record<string, string | undefined>): Config {
  // An empty or blank value means unset, for every key: `cp .env.example .env` (all keys, no values) must start.
  const unsetIfBlank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value)
  const input: Record<string, string | undefined> = Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, unsetIfBlank(value)]))
  // The OpenAI SDK's own variable names are accepted as fallbacks.
  input.LLM_API_KEY ??= input.OPENAI_API_KEY
  input.LLM_BASE_URL ??= input.OPENAI_BASE_URL
  const picked = Object.fromEntries(configKeys.map((key) => [key, input[key]]))
  const parsed = configSchema.safeParse(picked)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '')
      const hint = hints[key] ? ` (${hints[key]})` : ''
      return `${key}: ${issue.message}${hint}`
    })
    throw new BotError('config_invalid', `Invalid settings:\n  ${lines.join('\n  ')}`)
  }
  const config = parsed.data
  const slackAny = Boolean(config.SLACK_BOT_TOKEN || config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)
  if (slackAny && !config.SLACK_BOT_TOKEN) {
    throw new BotError('config_invalid', `SLACK_BOT_TOKEN is required when Slack is configured (${hints.SLACK_BOT_TOKEN})`)
  }
  if (slackAny && !config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET) {
    throw new BotError(
      'config_invalid',
      `SLACK_SIGNING_SECRET is required for the HTTP receiver (${hints.SLACK_SIGNING_SECRET}); or set SLACK_APP_TOKEN for Socket Mode (${hints.SLACK_APP_TOKEN})`,
    )
  }
  const oauth = { SLACK_CLIENT_ID: config.SLACK_CLIENT_ID, SLACK_CLIENT_SECRET: config.SLACK_CLIENT_SECRET, SLACK_REDIRECT_URL: config.SLACK_REDIRECT_URL }
  const oauthMissing = Object.entries(oauth).filter(([, value]) => !value).map(([key]) => key)
  if (oauthMissing.length > 0 && oauthMissing.length < 3) {
    const key = oauthMissing[0]!
    throw new BotError('config_invalid', `${key} is required to let members post as themselves (${hints[key]}); set all of ${Object.keys(oauth).join(', ')} or none`)
  }
  if (config.LEARNING_MODE === 'worker' && config.STORE_URL.startsWith('sqlite:')) {
    throw new BotError('config_invalid', 'LEARNING_MODE=worker needs a store every process can reach: set STORE_URL to redis://… or postgres://… (an SQLite file belongs to one process)')
  }
  if (config.DISCORD_TOKEN && !config.DISCORD_APP_ID) {
    throw new BotError('config_invalid', `DISCORD_APP_ID is required when DISCORD_TOKEN is set (${hints.DISCORD_APP_ID})`)
  }
  return {
    ...config,
    safetyModel: config.LLM_SAFETY_MODEL ?? config.LLM_MODEL,
    slackEnabled: Boolean(config.SLACK_BOT_TOKEN),
    discordEnabled: Boolean(config.DISCORD_TOKEN),
  }
}

/** Load `.env` when present, then parse the process environment. */
export function loadConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env')
  return parseConfig(process.env)
}
