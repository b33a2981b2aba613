// Thread or channel context as quoted data for a prompt: one line per message, labelled by who wrote it (the
// member or another, by a name cleaned of anything but letters, digits and a few marks). Never instructions.
import type { ContextMessage } from '../types.js'
import { quoteLines } from './quote-data.js'

export function formatContext(context: ContextMessage[]): string {
  return quoteLines(context.map((each) => ({ label: each.author === 'self' ? 'author' : each.authorLabel ? `other (${each.authorLabel.replace(/[^\p{L}\p{N} ._-]/gu, '')})` : 'other', text: each.text })))
}
