// The settings the Slack adapter reads, under their environment names: the composition root hands over the parsed
// config (src/config.ts checks and documents them); the adapter never reads the environment itself.
export type SlackSettings = {
  SLACK_BOT_TOKEN?: string
  SLACK_SIGNING_SECRET?: string
  SLACK_APP_TOKEN?: string
  SLACK_API_URL?: string
  SLACK_ADMIN_USER_IDS: string[]
  SLACK_BACKFILL_MAX_MESSAGES: number
  SLACK_CLIENT_ID?: string
  SLACK_CLIENT_SECRET?: string
  SLACK_REDIRECT_URL?: string
  PORT: number
}
