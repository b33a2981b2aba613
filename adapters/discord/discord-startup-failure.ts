// Turns a failure of logging in or registering commands into one line for the operator: what failed and what to
// check (network and DISCORD_API_URL, the token, the application or server id). Reads error codes only, never a token.
import { BotError } from '../../src/bot-error.js'

export const discordDefaultApiUrl = 'https://discord.com/api'

type RestError = { name?: unknown; code?: unknown; status?: unknown; message?: unknown; cause?: RestError }

const systemCode = (code: unknown): code is string => typeof code === 'string' && /^E[A-Z_]+$/.test(code)

/** ECONNREFUSED, ENOTFOUND, "timed out": from the error or what caused it (fetch wraps the socket's error). */
function networkReason(error: RestError): string | undefined {
  let innermost: string | undefined
  for (let cause: RestError | undefined = error; cause; cause = cause.cause) {
    if (systemCode(cause.code)) return cause.code
    if (cause.name === 'AbortError' || cause.name === 'TimeoutError') return 'timed out'
    if (typeof cause.message === 'string' && cause.message) innermost = cause.message.split('\n')[0]!.slice(0, 120)
  }
  // fetch itself failing (a TypeError) is a network failure too; any other error is not this one's to describe.
  return error instanceof TypeError ? innermost : undefined
}

/** `action` says what was being done: "log in", "register the commands". */
export function discordFailure(error: unknown, action: string, apiUrl: string): BotError {
  const rest = (error ?? {}) as RestError
  const status = typeof rest.status === 'number' ? rest.status : undefined
  if (rest.code === 'TokenInvalid' || status === 401) {
    return new BotError('config_invalid', `Discord refused DISCORD_TOKEN when trying to ${action} (401). Reset the token (Developer Portal → your application → Bot) and set DISCORD_TOKEN.`, { cause: error })
  }
  if (status !== undefined && status >= 500) {
    return new BotError('platform_failed', `Discord answered HTTP ${status} when trying to ${action} at ${apiUrl}. Discord may be having trouble (https://discordstatus.com); try again, and check DISCORD_API_URL.`, { cause: error })
  }
  if (status !== undefined) {
    const reason = typeof rest.message === 'string' ? rest.message.split('\n')[0]!.slice(0, 160) : `HTTP ${status}`
    return new BotError('config_invalid', `Discord refused to ${action} (${status}: ${reason}). Check DISCORD_APP_ID, and DISCORD_GUILD_ID if set (the bot must be in that server).`, { cause: error })
  }
  const unreachable = networkReason(rest)
  if (unreachable) {
    return new BotError('platform_failed', `Could not reach the Discord API at ${apiUrl} to ${action} (${unreachable}). Check the network (proxy, firewall, DNS) and DISCORD_API_URL.`, { cause: error })
  }
  const text = error instanceof Error ? error.message.split('\n')[0]! : String(error)
  return new BotError('platform_failed', `Discord: could not ${action}: ${text.slice(0, 200)}`, { cause: error })
}
