// The suggested prompts of the assistant pane, and what a member's message there asks for: a reply to the
// conversation they are viewing, a message from what they typed, or what was learned about them. Reading only.

/** Shown when a member opens the pane; a prompt's message is sent as if the member had typed it. */
export const assistantPrompts = [
  { title: 'Draft a reply to this thread in my voice', message: 'Draft a reply to this thread in my voice' },
  { title: 'Draft a message: …', message: 'Draft a message:' },
  { title: 'What have you learned about how I write?', message: 'What have you learned about how I write?' },
] as const

export type AssistantRequest =
  | { kind: 'reply'; intent: string }
  | { kind: 'draft'; intent: string }
  | { kind: 'profile' }
  /** "Draft a message:" with nothing after it: the member is asked what to say. */
  | { kind: 'usage' }

/** The conversation itself says what a reply is about. */
export const replyIntent = 'Reply to the latest messages in this conversation.'

const comparable = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[.!?…\s]+$/u, '')
    .replace(/\s+/g, ' ')

const replyPrompt = comparable(assistantPrompts[0].message)
const profilePrompt = comparable(assistantPrompts[2].message)
/** Only a prefix followed by a colon (or nothing) is the prompt's; "Draft a message to the team…" is an intent. */
const draftPrefix = /^\s*draft a message\s*(?::|…|\.\.\.|$)/i

export function readAssistantRequest(text: string): AssistantRequest {
  const asked = comparable(text)
  if (asked === replyPrompt) return { kind: 'reply', intent: replyIntent }
  if (asked === profilePrompt) return { kind: 'profile' }
  const prefixed = draftPrefix.exec(text)
  const intent = (prefixed ? text.slice(prefixed[0].length) : text).trim().replace(/^…\s*/u, '')
  return intent === '' ? { kind: 'usage' } : { kind: 'draft', intent }
}
