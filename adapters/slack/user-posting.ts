// Lets a member grant the app a user token (Slack OAuth v2, user scope chat:write) so Post publishes their drafts
// as themselves, still labelled as AI-drafted. Optional: without SLACK_CLIENT_ID / _SECRET / _REDIRECT_URL every
// draft is posted by the app with "drafted by @member". The token is sealed before the core stores it, only for an
// opted-in member, and revoked at Slack and erased on disconnect, opt-out and "forget me".
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { webApi } from '@slack/bolt'
import { isBotError } from '../../src/bot-error.js'
import type { Actor, MemberRef } from '../../src/core/types.js'
import type { BotCore } from '../../src/core/bot-core.js'
import type { Logger } from '../../src/logger.js'
import type { SlackActorResolver } from './slack-actors.js'
import { openToken, sealToken } from './token-seal.js'

export const oauthCallbackPath = '/slack/oauth/callback'
export const userScope = 'chat:write'

/** Slack errors meaning the member's token no longer works: drop it and fall back to posting as the app. */
export const rejectedTokenErrors = new Set(['token_revoked', 'invalid_auth', 'account_inactive', 'token_expired', 'not_authed', 'missing_scope', 'no_permission'])

// Long enough for a link rendered in the Home tab to still work when the member gets round to clicking it.
const stateLifetimeMs = 30 * 60_000

export type UserPosting = {
  /** The Slack page where the member approves posting as themselves (valid for thirty minutes). */
  authorizeUrl(teamId: string, userId: string): string
  /** The member's user token, or undefined when they have not granted one (or it no longer opens). */
  tokenFor(actor: Actor): Promise<string | undefined>
  /** Revokes the member's token at Slack (best effort) and removes it. For disconnect, opt-out and forget. */
  revoke(actor: Actor, member: MemberRef): Promise<boolean>
  /** GET handler of the OAuth redirect. */
  handleCallback(request: IncomingMessage, response: ServerResponse): Promise<void>
}

export type UserPostingOptions = {
  core: BotCore
  actors: SlackActorResolver
  logger: Logger
  clientId: string
  clientSecret: string
  redirectUrl: string
  slackApiUrl?: string
  clientOptions: webApi.WebClientOptions
  /** Called after a member granted a token (to refresh their Home tab). */
  onGranted?: (teamId: string, userId: string) => Promise<void>
  clock?: () => number
}

type State = { t: string; u: string; e: number; n: string }

export function createUserPosting(options: UserPostingOptions): UserPosting {
  const { core, actors, logger } = options
  const clock = options.clock ?? Date.now
  // The token exchange authenticates with the client id and secret; no bot token rides along.
  const client = new webApi.WebClient(undefined, options.clientOptions)
  const stateKey = Buffer.from(hkdfSync('sha256', options.clientSecret, 'hyperalign', 'slack oauth state v1', 32))
  const owner = (member: MemberRef) => `slack:${member.workspaceId}:${member.userId}`
  const authorizeBase = new URL('../oauth/v2/authorize', options.slackApiUrl ?? 'https://slack.com/api/')

  const sign = (payload: string) => createHmac('sha256', stateKey).update(payload).digest('base64url')

  function issueState(teamId: string, userId: string): string {
    const payload = Buffer.from(JSON.stringify({ t: teamId, u: userId, e: clock() + stateLifetimeMs, n: randomBytes(8).toString('hex') } satisfies State)).toString('base64url')
    return `${payload}.${sign(payload)}`
  }

  function readState(value: string | null): State | undefined {
    const [payload, signature] = (value ?? '').split('.')
    if (!payload || !signature) return undefined
    const expected = Buffer.from(sign(payload))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    try {
      const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as State
      return typeof state.t === 'string' && typeof state.u === 'string' && typeof state.e === 'number' && state.e > clock() ? state : undefined
    } catch {
      return undefined
    }
  }

  async function revokeAtSlack(token: string): Promise<void> {
    try {
      await client.auth.revoke({ token })
    } catch (error) {
      logger.warn('slack_user_token_revoke_failed', { slackError: (error as { data?: { error?: string } }).data?.error })
    }
  }

  return {
    authorizeUrl(teamId, userId) {
      const url = new URL(authorizeBase)
      url.searchParams.set('client_id', options.clientId)
      url.searchParams.set('user_scope', userScope)
      url.searchParams.set('redirect_uri', options.redirectUrl)
      url.searchParams.set('team', teamId)
      url.searchParams.set('state', issueState(teamId, userId))
      return url.toString()
    },

    async tokenFor(actor) {
      const credential = await core.credential(actor, actor.member)
      if (!credential) return undefined
      const token = openToken(options.clientSecret, owner(actor.member), credential.sealed)
      if (token === undefined) {
        // Sealed under an earlier client secret: useless now, so drop it and let the member grant again.
        logger.warn('slack_user_token_unreadable', {})
        await core.removeCredential(actor, actor.member)
      }
      return token
    },

    async revoke(actor, member) {
      const credential = await core.credential(actor, member)
      if (!credential) return false
      const token = openToken(options.clientSecret, owner(member), credential.sealed)
      if (token) await revokeAtSlack(token)
      return core.removeCredential(actor, member)
    },

    async handleCallback(request, response) {
      const query = new URL(request.url ?? '/', 'http://localhost').searchParams
      const state = readState(query.get('state'))
      if (!state) return page(response, 400, 'This link has expired or is not valid', 'Nothing was changed. Run /hyperalign connect in Slack for a new link.')
      if (query.get('error')) return page(response, 200, 'Nothing changed', 'You did not allow hyperalign to post as you. Your drafts are posted by the app, with "drafted by" you.')
      const code = query.get('code')
      if (!code) return page(response, 400, 'Slack did not send an authorization code', 'Nothing was changed. Run /hyperalign connect in Slack to try again.')

      let granted: webApi.OauthV2AccessResponse
      try {
        granted = await client.oauth.v2.access({ client_id: options.clientId, client_secret: options.clientSecret, code, redirect_uri: options.redirectUrl })
      } catch (error) {
        logger.warn('slack_oauth_exchange_failed', { slackError: (error as { data?: { error?: string } }).data?.error })
        return page(response, 502, 'Slack did not confirm the permission', 'Nothing was changed. Run /hyperalign connect in Slack to try again.')
      }
      const user = granted.authed_user
      const token = user?.access_token
      const scopes = (user?.scope ?? '').split(',').filter(Boolean)
      if (!token) return page(response, 502, 'Slack did not grant a user token', 'Nothing was changed. Run /hyperalign connect in Slack to try again.')
      // The link was issued to one member of one workspace: a token for anyone else is given straight back.
      if (user?.id !== state.u || granted.team?.id !== state.t) {
        await revokeAtSlack(token)
        return page(response, 403, 'That was a different Slack account', 'The link was made for another member or workspace, so the permission was given back and nothing was stored. Sign in as the member who ran /hyperalign connect.')
      }
      if (!scopes.includes(userScope)) {
        await revokeAtSlack(token)
        return page(response, 400, 'Posting was not allowed', 'Slack granted no permission to post messages, so nothing was stored. Run /hyperalign connect and allow posting.')
      }
      try {
        const actor = await actors.resolve(state.t, state.u)
        await core.saveCredential(actor, { kind: 'slack_user_token', sealed: sealToken(options.clientSecret, owner(actor.member), token), scopes, grantedAt: clock() })
      } catch (error) {
        await revokeAtSlack(token)
        if (isBotError(error)) return page(response, 403, 'Not connected', `${error.userMessage} The permission was given back and nothing was stored.`)
        logger.warn('slack_user_token_save_failed', { error })
        return page(response, 503, 'Not connected', 'The permission could not be saved, so it was given back. Please try again in a minute.')
      }
      await options.onGranted?.(state.t, state.u).catch(() => undefined)
      return page(response, 200, 'Done', 'hyperalign will now post the drafts you approve as you, labelled as AI-drafted. Stop any time with /hyperalign disconnect. You can close this tab.')
    },
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

function page(response: ServerResponse, status: number, title: string, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  response.end(
    `<!doctype html><meta charset="utf-8"><title>hyperalign · ${escapeHtml(title)}</title>` +
      `<body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body>`,
  )
}

/**
 * Before an opt-out or "forget me" erases the member: give their user token back to Slack, so the erase leaves no
 * working permission behind either. Best effort; the core's erase removes the stored token regardless.
 */
export async function revokeBeforeErase(deps: { userPosting?: UserPosting; logger: Logger }, actor: Actor, member: MemberRef): Promise<void> {
  if (!deps.userPosting) return
  await deps.userPosting.revoke(actor, member).catch((error: unknown) => {
    if (!isBotError(error, 'not_permitted')) deps.logger.warn('slack_user_token_revoke_failed', { error })
  })
}
