// Reads a JSONL chat file (one {team, channel, file_year, conversation_id, ts, user, text} object a line, as the
// sample and the evaluation corpora are) as a stream of bounded lines, twice: once up front for what the console
// shows and asks before importing (members, channels, what is skipped and where), then again for the import itself,
// which takes the messages as they stream, a batch at a time. Memory follows the batch and the members, never the
// file. Translation only: the core decides storing.
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import type { ObservedMessage, WorkspaceRef } from '../../src/core/types.js'
import { boundedLines } from './bounded-lines.js'
import { countSkip, emptyConversationFile, importLimits, type ConversationFile, type ReadSkipKind } from './conversation-file.js'

type JsonlRow = {
  team?: string
  channel?: string
  file_year?: string | number
  conversation_id?: string | number
  ts: string | number
  user: string
  text: string
  /** The markup the text is in; these files are Slack chats unless a line says otherwise. */
  markup?: 'slack' | 'discord' | 'plain'
}

const optional = (value: unknown, ...types: string[]) => value === undefined || types.includes(typeof value)

/**
 * The row a parsed line is, or undefined. Checked by hand rather than by a schema: it runs on every line of an
 * export twice, and the fields are few and flat.
 */
function jsonlRow(value: unknown): JsonlRow | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const row = value as Record<string, unknown>
  if (typeof row.user !== 'string' || !row.user || typeof row.text !== 'string') return undefined
  if (typeof row.ts !== 'string' && typeof row.ts !== 'number') return undefined
  if (!optional(row.team, 'string') || !optional(row.channel, 'string')) return undefined
  if (!optional(row.file_year, 'string', 'number') || !optional(row.conversation_id, 'string', 'number')) return undefined
  if (row.markup !== undefined && row.markup !== 'slack' && row.markup !== 'discord' && row.markup !== 'plain') return undefined
  return row as JsonlRow
}

/** Seconds (Slack `ts`) or an ISO date (no zone means UTC) to whole epoch milliseconds. */
function toMilliseconds(ts: string | number): number {
  if (typeof ts === 'number') return Math.round(ts * 1000)
  if (/^\d+(\.\d+)?$/.test(ts)) return Math.round(Number(ts) * 1000)
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) ? ts : ts + 'Z')
  return Number.isNaN(parsed) ? 0 : parsed
}

/** Pseudonyms are only unique within one (team, channel, year); a file mixing several qualifies them. */
const groupOf = (row: JsonlRow) => [row.team, row.channel, row.file_year].filter((part) => part !== undefined).join('-') || 'imported'

/** The file's usable rows in order, with their line numbers; a skipped line goes to `skip` (each read counts it once). */
async function* jsonlRows(path: string, skip: (line: number, kind: ReadSkipKind) => void): AsyncGenerator<JsonlRow> {
  let number = 0
  for await (const line of boundedLines(createReadStream(path, { highWaterMark: 1024 * 1024 }), importLimits.lineBytes)) {
    number += 1
    if ('oversizedBytes' in line) {
      skip(number, 'oversized_line')
      continue
    }
    if (!line.text.trim()) continue
    let row: JsonlRow | undefined
    try {
      row = jsonlRow(JSON.parse(line.text))
    } catch {
      row = undefined
    }
    if (!row) skip(number, 'unreadable_line')
    else if (row.text.length > importLimits.messageCharacters) skip(number, 'oversized_message')
    else yield row
  }
}

export async function readJsonlFile(path: string, workspace: WorkspaceRef): Promise<ConversationFile> {
  const file = emptyConversationFile(basename(path))
  const groups = new Map<string, number>()
  /** Messages with text by (group, user), in the order the authors first appear. */
  const authors = new Map<string, { group: string; user: string; messages: number }>()
  const skip = (line: number, kind: ReadSkipKind) => {
    countSkip(file, kind)
    if (file.skippedLines.length < importLimits.listedLines) file.skippedLines.push({ line, kind })
  }
  for await (const row of jsonlRows(path, skip)) {
    const group = groupOf(row)
    groups.set(group, (groups.get(group) ?? 0) + 1)
    const key = JSON.stringify([group, row.user])
    let author = authors.get(key)
    if (!author) authors.set(key, (author = { group, user: row.user, messages: 0 }))
    if (row.text.trim()) author.messages += 1
    file.messageCount += 1
  }
  const qualified = groups.size > 1
  const userIdOf = (user: string, group: string) => (qualified ? `${user}@${group}` : user)
  for (const { group, user, messages } of authors.values()) {
    const userId = userIdOf(user, group)
    const member = file.members.get(userId) ?? { userId, messages: 0 }
    member.messages += messages
    file.members.set(userId, member)
  }
  file.channels = [...groups].map(([id, messages]) => ({ id, name: id, kind: 'public' as const, messages }))
  file.messages = async function* () {
    let index = 0
    // The skips were counted by the first read.
    for await (const row of jsonlRows(path, () => {})) {
      const channelId = groupOf(row)
      const message: ObservedMessage = {
        kind: 'created',
        workspace,
        userId: userIdOf(row.user, channelId),
        channelId,
        channelKind: 'public',
        messageId: `${row.ts}#${index}`,
        text: row.text,
        markup: row.markup === 'plain' ? 'console' : (row.markup ?? 'slack'),
        timestamp: toMilliseconds(row.ts),
        threadId: row.conversation_id === undefined ? undefined : String(row.conversation_id),
      }
      index += 1
      yield message
    }
  }
  return file
}
