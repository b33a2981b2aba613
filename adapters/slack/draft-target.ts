// Where a draft goes when posted: the draft id plus Slack routing (channel, thread, response URL), carried in
// button values and modal metadata. Draft text never travels here; it lives in the store behind the core.
import { z } from 'zod'

export type DraftTarget = {
  draftId: string
  channelId: string
  threadTs?: string
  /** The response_url of the ephemeral draft message, so a modal submission can update it. */
  responseUrl?: string
}

const draftTargetSchema = z.object({
  d: z.string().min(1).max(200),
  c: z.string().regex(/^[A-Z0-9]{2,40}$/),
  t: z.string().regex(/^\d+\.\d+$/).optional(),
  r: z.string().url().max(1000).optional(),
})

/** Button values are capped at 2,000 characters by Slack; the response URL is left out of button values. */
export function encodeDraftTarget(target: DraftTarget, options: { withResponseUrl?: boolean } = {}): string {
  return JSON.stringify({
    d: target.draftId,
    c: target.channelId,
    ...(target.threadTs ? { t: target.threadTs } : {}),
    ...(options.withResponseUrl && target.responseUrl ? { r: target.responseUrl } : {}),
  })
}

/** Undefined for anything that is not a value this app wrote (forged or corrupted payloads). */
export function decodeDraftTarget(value: string | undefined): DraftTarget | undefined {
  if (!value) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(value)
  } catch {
    return undefined
  }
  const parsed = draftTargetSchema.safeParse(raw)
  if (!parsed.success) return undefined
  return { draftId: parsed.data.d, channelId: parsed.data.c, threadTs: parsed.data.t, responseUrl: parsed.data.r }
}

export type ReplyTarget = { channelId: string; threadTs: string; messageTs: string; responseUrl?: string; messageText?: string }

const replyTargetSchema = z.object({
  c: z.string().regex(/^[A-Z0-9]{2,40}$/),
  t: z.string().regex(/^\d+\.\d+$/),
  m: z.string().regex(/^\d+\.\d+$/),
  r: z.string().url().max(1000).optional(),
  x: z.string().max(1500).optional(),
})

/**
 * Modal metadata of the "Draft a reply" intent modal. Slack allows 3,000 characters of private_metadata, so the
 * clicked message's text rides along only as a short fallback for when the thread cannot be read.
 */
export function encodeReplyTarget(target: ReplyTarget): string {
  const base = { c: target.channelId, t: target.threadTs, m: target.messageTs, ...(target.responseUrl ? { r: target.responseUrl } : {}) }
  let text = (target.messageText ?? '').slice(0, 1500)
  // JSON escaping can lengthen the text, so shrink until the whole value fits.
  while (text !== '' && JSON.stringify({ ...base, x: text }).length > 2900) text = text.slice(0, -100)
  return JSON.stringify(text ? { ...base, x: text } : base)
}

export function decodeReplyTarget(value: string | undefined): ReplyTarget | undefined {
  if (!value) return undefined
  try {
    const parsed = replyTargetSchema.safeParse(JSON.parse(value))
    return parsed.success
      ? { channelId: parsed.data.c, threadTs: parsed.data.t, messageTs: parsed.data.m, responseUrl: parsed.data.r, messageText: parsed.data.x }
      : undefined
  } catch {
    return undefined
  }
}
