// Turns Slack / Discord markup into the plain text the bot learns from: people become `@someone`, links their label.
// It must never keep a user id or display name from a mention, and never alter code beyond entity unescaping.
import type { Platform } from '../types.js'

/** The neutral token that replaces platform timestamps (`<t:123:R>`, `<!date^…>`). */
export const timeToken = '[time]'

const fencePattern = /```[\s\S]*?(?:```|$)|`[^`\n]+`/g

/**
 * Normalise one message's platform markup to plain text; whitespace is tidied outside code, newlines kept. Control
 * characters other than tab and newline go: they carry nothing of how someone writes, and the store reserves them
 * (see sequencePlaceholder).
 */
export function normalizeMarkup(text: string, platform: Platform): string {
  const unified = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
  const converted = platform === 'slack' ? slackToPlain(unified) : platform === 'discord' ? discordToPlain(unified) : unified
  return tidyWhitespace(converted)
}

function slackToPlain(text: string): string {
  const replaced = text.replace(/<([^<>\n]*)>/g, (whole, inner: string) => {
    const bar = inner.indexOf('|')
    const target = bar === -1 ? inner : inner.slice(0, bar)
    const label = bar === -1 ? '' : inner.slice(bar + 1)
    if (target.startsWith('@')) return '@someone'
    if (target.startsWith('#')) return label ? `#${label.replace(/^#/, '')}` : '#channel'
    if (target.startsWith('!')) return slackSpecial(target.slice(1), label)
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return label || target
    return whole
  })
  // Slack escapes only these three; unescaping last keeps a literal "&lt;@U1&gt;" from turning into a mention.
  return replaced.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

function slackSpecial(command: string, label: string): string {
  if (/^(here|channel|everyone)\b/.test(command)) return '@here'
  if (command.startsWith('subteam^')) return '@someone'
  if (command.startsWith('date^')) return timeToken
  return label && !label.startsWith('@') ? label : '@here'
}

function discordToPlain(text: string): string {
  return text
    .replace(/<@!?\d+>/g, '@someone')
    .replace(/<@&\d+>/g, '@role')
    .replace(/<#\d+>/g, '#channel')
    .replace(/<a?:(\w+):\d+>/g, ':$1:')
    .replace(/<t:-?\d+(?::[a-zA-Z])?>/g, timeToken)
    .replace(/<\/([\w -]+):\d+>/g, '/$1')
    .replace(/<(https?:\/\/[^\s<>]+)>/g, '$1')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1')
}

/** Collapse runs of spaces and blank lines outside code; code spans and fences are kept byte for byte. */
function tidyWhitespace(text: string): string {
  let result = ''
  let last = 0
  for (const match of text.matchAll(fencePattern)) {
    result += tidyProse(text.slice(last, match.index)) + match[0]
    last = match.index + match[0].length
  }
  result += tidyProse(text.slice(last))
  return result.trim()
}

function tidyProse(text: string): string {
  return text
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
}
