// Slack's request signing, checked the way Slack specifies it: `v0=` HMAC-SHA256 of `v0:<timestamp>:<raw body>`, and
// a timestamp within five minutes of now in either direction (a capture replayed later, or signed "from the future",
// is refused). Also reads a request body with a size limit and parses it as Bolt will. Pure checks; no responses.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { parse as parseQueryString } from 'node:querystring'

/** Slack's rule: |now − timestamp| ≤ 5 minutes. */
export const maximumClockSkewSeconds = 5 * 60

export type SignatureCheck = { ok: true } | { ok: false; reason: 'signature_missing' | 'timestamp_invalid' | 'timestamp_out_of_range' | 'signature_mismatch' }

const single = (header: string | string[] | undefined) => (typeof header === 'string' ? header : undefined)

export function checkSlackSignature(options: {
  signingSecret: string
  rawBody: Buffer
  timestampHeader: string | string[] | undefined
  signatureHeader: string | string[] | undefined
  nowMs?: number
}): SignatureCheck {
  const timestampText = single(options.timestampHeader)
  const signature = single(options.signatureHeader)
  if (!timestampText || !signature) return { ok: false, reason: 'signature_missing' }
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'timestamp_invalid' }
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000)
  if (Math.abs(nowSeconds - Number(timestampText)) > maximumClockSkewSeconds) return { ok: false, reason: 'timestamp_out_of_range' }
  const expected = Buffer.from(`v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestampText}:`).update(options.rawBody).digest('hex')}`)
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature_mismatch' }
  return { ok: true }
}

/** The whole body, or `too_large` as soon as it passes `limit` bytes (the rest is not read). */
export async function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    size += buffer.length
    if (size > limit) return 'too_large'
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

export const formContentType = 'application/x-www-form-urlencoded'

/** Form fields (slash commands, ssl_check) or the JSON `payload` field (interactivity) or a JSON body (events), as Bolt parses them. */
export function parseSlackBody(rawBody: Buffer, contentType: string | undefined): { ok: true; body: unknown } | { ok: false } {
  try {
    const text = rawBody.toString()
    if (contentType === formContentType) {
      const fields = parseQueryString(text)
      return { ok: true, body: typeof fields.payload === 'string' ? JSON.parse(fields.payload) : { ...fields } }
    }
    return { ok: true, body: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/** Bolt's ssl_check: a form body `ssl_check=1`, which Slack sends unsigned. */
export function isSslCheck(rawBody: Buffer, contentType: string | undefined): boolean {
  return contentType === formContentType && parseQueryString(rawBody.toString()).ssl_check === '1'
}
