// Turns any failure into the text a member sees: a BotError's own user message (which says what to do next), or a
// generic line for everything else. Internal details go to the log, never to the member.
import { isBotError } from '../../src/bot-error.js'

export const genericFailure = 'Something went wrong on my side. Please try again in a minute; if it keeps happening, tell a server admin.'

export function userMessageFor(error: unknown): string {
  if (isBotError(error)) return error.userMessage
  return genericFailure
}
