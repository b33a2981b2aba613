// Turns a failure while the Slack app starts (auth.test, apps.connections.open, listening on PORT) into one line
// for the operator: what failed and what to check. Reads the SDK's error codes only; never logs a token.
import { BotError } from '../../src/bot-error.js'

export type SlackStartupStep = 'auth.test' | 'apps.connections.open' | 'listen'

const refusedTokens = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type'])

type Cause = { code?: unknown; message?: unknown; name?: unknown; cause?: Cause }
type SdkError = { code?: unknown; statusCode?: unknown; data?: { error?: unknown }; original?: Cause; message?: unknown }

/** The network reason of a request error (ECONNREFUSED, ENOTFOUND, a timeout), in a few words. */
function networkReason(error: SdkError): string {
  // fetch wraps the socket's error: `fetch failed`, caused by `connect ECONNREFUSED …`.
  let innermost = 'no answer'
  for (let cause = error.original; cause; cause = cause.cause) {
    if (typeof cause.code === 'string' && /^[A-Z_]+$/.test(cause.code)) return cause.code
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'timed out'
    if (typeof cause.message === 'string' && cause.message) innermost = cause.message.split('\n')[0]!.slice(0, 120)
  }
  return innermost
}

export function slackStartupFailure(error: unknown, step: SlackStartupStep, options: { apiUrl: string; port?: number }): BotError {
  const sdk = (error ?? {}) as SdkError
  const token = step === 'apps.connections.open' ? 'SLACK_APP_TOKEN (xapp-…, Basic Information → App-Level Tokens, scope connections:write)' : 'SLACK_BOT_TOKEN (xoxb-…, OAuth & Permissions → Bot User OAuth Token)'
  let message: string
  let code: 'platform_failed' | 'config_invalid' = 'platform_failed'
  if (step === 'listen') {
    const reason = typeof (sdk as { code?: unknown }).code === 'string' ? String(sdk.code) : 'failed'
    message = reason === 'EADDRINUSE' ? `Slack's HTTP receiver could not listen on port ${options.port}: it is in use. Set PORT to a free port.` : `Slack's HTTP receiver could not listen on port ${options.port} (${reason}). Check PORT.`
    code = 'config_invalid'
  } else if (sdk.code === 'slack_webapi_request_error') {
    message = `Slack did not answer ${step} at ${options.apiUrl} (${networkReason(sdk)}). Check the network (proxy, firewall, DNS) and SLACK_API_URL.`
  } else if (sdk.code === 'slack_webapi_http_error') {
    message = `Slack answered ${step} with HTTP ${String(sdk.statusCode)} at ${options.apiUrl}. Slack may be having trouble (https://slack-status.com), or SLACK_API_URL points at something that is not the Slack Web API.`
  } else if (sdk.code === 'slack_webapi_platform_error' && typeof sdk.data?.error === 'string') {
    const reason = sdk.data.error
    code = refusedTokens.has(reason) ? 'config_invalid' : 'platform_failed'
    message = refusedTokens.has(reason) ? `Slack refused ${token}: ${reason}. Copy the token again from the Slack app settings.` : `Slack answered ${step} with the error ${reason}.`
  } else if (sdk.code === 'slack_webapi_rate_limited_error') {
    message = `Slack rate-limited ${step} at start-up. Wait a minute and start again.`
  } else {
    const text = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    message = `The Slack app could not start (${step}): ${text.slice(0, 200)}`
  }
  return new BotError(code, message, { cause: error })
}
