// Sends requests to a Bolt HTTP receiver the way Slack does: real v0 HMAC-SHA256 signatures over
// `v0:<timestamp>:<raw body>`, form or JSON bodies, optional retry headers. Tests can forge any part on purpose.
import { createHmac } from 'node:crypto'

export type SlackBody =
  | { kind: 'form'; fields: Record<string, string> }
  | { kind: 'interactive'; payload: Record<string, unknown> }
  | { kind: 'event'; envelope: Record<string, unknown> }
  /** Any bytes under any content type, signed like the rest: for payloads of the wrong shape. */
  | { kind: 'raw'; raw: string; contentType: string }

export type SignedRequestOptions = {
  signingSecret: string
  /** Seconds since the epoch; defaults to now. Set it in the past to send a stale request. */
  timestampSeconds?: number
  /** Replaces the computed signature (a forged or broken request). */
  signature?: string
  retryNum?: number
  retryReason?: string
}

export type SlackHttpResponse = { status: number; text: string; json?: unknown }

export function encodeSlackBody(body: SlackBody): { raw: string; contentType: string } {
  if (body.kind === 'raw') return { raw: body.raw, contentType: body.contentType }
  if (body.kind === 'form') return { raw: new URLSearchParams(body.fields).toString(), contentType: 'application/x-www-form-urlencoded' }
  if (body.kind === 'interactive') {
    return { raw: new URLSearchParams({ payload: JSON.stringify(body.payload) }).toString(), contentType: 'application/x-www-form-urlencoded' }
  }
  return { raw: JSON.stringify(body.envelope), contentType: 'application/json' }
}

export function signSlackBody(signingSecret: string, timestampSeconds: number, raw: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${raw}`).digest('hex')}`
}

export async function postSignedToSlackApp(url: string, body: SlackBody, options: SignedRequestOptions): Promise<SlackHttpResponse> {
  const { raw, contentType } = encodeSlackBody(body)
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000)
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? signSlackBody(options.signingSecret, timestamp, raw),
  }
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum)
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout'
  }
  const response = await fetch(url, { method: 'POST', headers, body: raw })
  const text = await response.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: response.status, text, json }
}
