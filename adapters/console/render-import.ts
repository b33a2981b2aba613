// Plain-text lines about an import: what was read from the export and what it left out, by kind; then what the core
// stored and why it skipped the rest. Counts and file names only, never a message.
import type { ImportIgnoredReason, ImportReport } from '../../src/core/types.js'
import { importLimits, type ConversationFile, type ReadSkipKind } from './conversation-file.js'

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`
const kilobytes = Math.round(importLimits.lineBytes / 1024)

const skipLabels: Record<ReadSkipKind, [string, string]> = {
  bot: ['bot post', 'bot posts'],
  system: ['join or other channel event', 'joins and other channel events'],
  tombstone: ['deleted message (tombstone)', 'deleted messages (tombstones)'],
  file_without_comment: ['file share without a comment', 'file shares without a comment'],
  not_a_message: ['entry that is not a message', 'entries that are not messages'],
  unreadable_line: ['unreadable line', 'unreadable lines'],
  oversized_line: [`line over ${kilobytes} KB`, `lines over ${kilobytes} KB`],
  oversized_message: [`message over ${importLimits.messageCharacters.toLocaleString('en')} characters`, `messages over ${importLimits.messageCharacters.toLocaleString('en')} characters`],
}

const lineLabels: Partial<Record<ReadSkipKind, string>> = { unreadable_line: 'unreadable', oversized_line: `over ${kilobytes} KB`, oversized_message: 'message too long' }

/** At most this many file problems are listed one by one; a badly broken export gets a count for the rest. */
const listedProblems = 20

export function renderReadSummary(file: ConversationFile): string[] {
  const authors = [...file.members.values()].filter((each) => each.messages > 0).length
  const privateChannels = file.channels.filter((each) => each.kind === 'private').length
  const lines = [
    `Read ${plural(file.messageCount, 'message', 'messages')} by ${plural(authors, 'member', 'members')} from ${plural(file.channels.length, 'channel', 'channels')}${privateChannels ? ` (${privateChannels} private)` : ''} in ${file.description}.`,
  ]
  const skipped = (Object.keys(skipLabels) as ReadSkipKind[]).flatMap((kind) => ((file.skipped.get(kind) ?? 0) > 0 ? [[kind, file.skipped.get(kind)!] as const] : []))
  if (skipped.length) lines.push(`Not imported: ${skipped.map(([kind, count]) => plural(count, ...skipLabels[kind])).join(', ')}.`)
  if (file.directConversations) lines.push(`Direct messages are never imported: ${plural(file.directConversations, 'conversation', 'conversations')} left unread.`)
  if (file.skippedLines.length) {
    const more = [...file.skipped.entries()].filter(([kind]) => kind === 'unreadable_line' || kind === 'oversized_line' || kind === 'oversized_message').reduce((sum, [, count]) => sum + count, 0) - file.skippedLines.length
    const named = file.skippedLines.map((each) => `${each.line} (${lineLabels[each.kind] ?? each.kind})`).join(', ')
    lines.push(`⚠ Skipped line${file.skippedLines.length === 1 && more <= 0 ? '' : 's'} ${named}${more > 0 ? `, and ${more} more` : ''}.`)
  }
  for (const problem of file.problems.slice(0, listedProblems)) lines.push(`⚠ ${problem}`)
  if (file.problems.length > listedProblems) lines.push(`⚠ … and ${file.problems.length - listedProblems} more files with problems.`)
  return lines
}

/** One progress line of an import: messages read so far, how many of them were stored, and the rate since the start. */
export function renderImportProgress(done: number, total: number, stage: 'messages' | 'calibration', elapsedMs: number, counts?: { stored: number }): string {
  if (stage === 'calibration') return done === 0 ? `measuring the style of ${total} members` : `measured the style of ${done} of ${total} members`
  const rate = elapsedMs > 0 ? `, ${Math.round(done / (elapsedMs / 1000))} messages/s` : ''
  return `imported ${done} of ${total} messages${counts ? ` (${counts.stored} stored${rate})` : ''}`
}

export function renderImportReport(report: ImportReport, file: ConversationFile, learningChannels: string[]): string {
  const closedPrivate = file.channels.filter((each) => each.kind === 'private' && each.messages > 0 && !learningChannels.includes(each.id))
  const reasons: Record<ImportIgnoredReason, string> = {
    duplicate: 'already imported',
    not_opted_in: 'by members not named on import',
    channel_not_enabled: `in private channels not enabled for learning${
      closedPrivate.length ? ` (${closedPrivate.map((each) => `#${each.name}`).join(', ')}: \`admin channels ${[...learningChannels, ...closedPrivate.map((each) => each.id)].join(',')}\` allows ${closedPrivate.length === 1 ? 'it' : 'them'})` : ''
    }`,
    empty: 'empty once markup is removed',
    too_long: 'too long to learn from (over MAX_MESSAGE_CHARS)',
    bot: 'by bots',
    direct_message: 'in direct messages',
    bot_disabled: 'while hyperalign is switched off',
    unknown_message: 'without an author',
  }
  const skipped = (Object.entries(report.ignoredBy ?? {}) as [ImportIgnoredReason, number][]).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1])
  return `Stored ${report.stored}${skipped.length ? `; skipped ${skipped.map(([reason, count]) => `${count} ${reasons[reason]}`).join(', ')}` : ''}.`
}
