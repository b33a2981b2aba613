// Encodes and decodes the custom ids of buttons, selects and modals (Discord allows 100 characters). An id carries
// only references (a draft id, a message id); what they point at is looked up again, so a forged id grants nothing.

export const customIdPrefix = 'hyperalign'

export type CustomId =
  | { kind: 'draft-post'; draftId: string; replyTo?: string }
  | { kind: 'draft-edit'; draftId: string; replyTo?: string }
  | { kind: 'draft-edit-modal'; draftId: string; replyTo?: string }
  | { kind: 'draft-regenerate'; draftId: string; replyTo?: string }
  | { kind: 'draft-discard'; draftId: string }
  | { kind: 'reply-modal'; channelId: string; messageId: string }
  | { kind: 'optin' }
  | { kind: 'backfill' }
  | { kind: 'forget-ask' }
  | { kind: 'forget-confirm' }
  | { kind: 'forget-cancel' }
  | { kind: 'hypothesis-select' }
  | { kind: 'hypothesis-edit'; hypothesisId: string }
  | { kind: 'hypothesis-edit-modal'; hypothesisId: string }
  | { kind: 'hypothesis-delete'; hypothesisId: string }
  | { kind: 'hypothesis-pin'; hypothesisId: string; pinned: boolean }
  | { kind: 'hypothesis-add' }
  | { kind: 'hypothesis-add-modal' }
  | { kind: 'profile' }

const maximumLength = 100

export function encodeCustomId(id: CustomId): string {
  const parts: string[] = [customIdPrefix, id.kind]
  switch (id.kind) {
    case 'draft-post':
    case 'draft-edit':
    case 'draft-edit-modal':
    case 'draft-regenerate':
      parts.push(id.draftId, id.replyTo ?? '')
      break
    case 'draft-discard':
      parts.push(id.draftId)
      break
    case 'reply-modal':
      parts.push(id.channelId, id.messageId)
      break
    case 'hypothesis-edit':
    case 'hypothesis-edit-modal':
    case 'hypothesis-delete':
      parts.push(id.hypothesisId)
      break
    case 'hypothesis-pin':
      parts.push(id.hypothesisId, id.pinned ? '1' : '0')
      break
    default:
      break
  }
  const encoded = parts.map((part) => encodeURIComponent(part)).join(':')
  if (encoded.length > maximumLength) {
    // The optional reply target is the only part that can be dropped; a draft posted without it lands in the channel.
    if ('replyTo' in id && id.replyTo) return encodeCustomId({ ...id, replyTo: undefined })
    throw new RangeError(`custom id longer than ${maximumLength} characters: ${id.kind}`)
  }
  return encoded
}

/** Parses a custom id this adapter made; anything else (another app's, a malformed one) gives undefined. */
export function decodeCustomId(raw: string): CustomId | undefined {
  const parts = raw.split(':').map((part) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return ''
    }
  })
  if (parts[0] !== customIdPrefix) return undefined
  const [, kind, first = '', second = ''] = parts
  const optional = (value: string) => (value === '' ? undefined : value)
  switch (kind) {
    case 'draft-post':
    case 'draft-edit':
    case 'draft-edit-modal':
    case 'draft-regenerate':
      return first ? { kind, draftId: first, replyTo: optional(second) } : undefined
    case 'draft-discard':
      return first ? { kind, draftId: first } : undefined
    case 'reply-modal':
      return first && second ? { kind, channelId: first, messageId: second } : undefined
    case 'hypothesis-edit':
    case 'hypothesis-edit-modal':
    case 'hypothesis-delete':
      return first ? { kind, hypothesisId: first } : undefined
    case 'hypothesis-pin':
      return first ? { kind, hypothesisId: first, pinned: second === '1' } : undefined
    case 'optin':
    case 'backfill':
    case 'forget-ask':
    case 'forget-confirm':
    case 'forget-cancel':
    case 'hypothesis-select':
    case 'hypothesis-add':
    case 'hypothesis-add-modal':
    case 'profile':
      return { kind }
    default:
      return undefined
  }
}
