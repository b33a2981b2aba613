// The import bench's baseline: the console's JSONL reader before it streamed. It reads the whole file into memory
// (every row checked by a zod schema, then every row turned into a message) before the import starts, so the
// import's memory follows the file. Kept only to be measured against.
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { z } from 'zod'
import type { ObservedMessage, WorkspaceRef } from '../src/core/types.js'
import { boundedLines } from '../adapters/console/bounded-lines.js'
import { countSkip, emptyConversationFile, importLimits, type ConversationFile } from '../adapters/console/conversation-file.js'

const jsonlLineSchema = z.object({
  team: z.string().optional(),
  channel: z.string().optional(),
  file_year: z.union([z.string(), z.number()]).optional(),
  conversation_id: z.union([z.string(), z.number()]).optional(),
  ts: z.union([z.string(), z.number()]),
  user: z.string().min(1),
  text: z.string(),
  /** The markup the text is in; these files are Slack chats unless a line says otherwise. */
  markup: z.enum(['slack', 'discord', 'plain']).optional(),
})

/** Seconds (Slack `ts`) or an ISO date (no zone means UTC) to whole epoch milliseconds. */
function toMilliseconds(ts: string | number): number {
  if (typeof ts === 'number') return Math.round(ts * 1000)
  if (/^\d+(\.\d+)?$/.test(ts)) return Math.round(Number(ts) * 1000)
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) ? ts : ts + 'Z')
  return Number.isNaN(parsed) ? 0 : parsed
}

export async function readWholeJsonlFile(path: string, workspace: WorkspaceRef): Promise<ConversationFile> {
  const file = emptyConversationFile(basename(path))
  const rows: z.output<typeof jsonlLineSchema>[] = []
  for await (const line of boundedLines(createReadStream(path), importLimits.lineBytes)) {
    if ('oversizedBytes' in line) {
      countSkip(file, 'oversized_line')
      continue
    }
    if (!line.text.trim()) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(line.text)
    } catch {
      countSkip(file, 'unreadable_line')
      continue
    }
    const row = jsonlLineSchema.safeParse(parsed)
    if (!row.success) countSkip(file, 'unreadable_line')
    else if (row.data.text.length > importLimits.messageCharacters) countSkip(file, 'oversized_message')
    else rows.push(row.data)
  }
  // Pseudonyms are only unique within one (team, channel, year); qualify them when a file mixes several.
  const group = (row: (typeof rows)[number]) => [row.team, row.channel, row.file_year].filter((part) => part !== undefined).join('-') || 'imported'
  const groups = new Set(rows.map(group))
  const perChannel = new Map<string, number>()
  const messages = rows.map((row, index): ObservedMessage => {
    const channelId = group(row)
    perChannel.set(channelId, (perChannel.get(channelId) ?? 0) + 1)
    const userId = groups.size > 1 ? `${row.user}@${channelId}` : row.user
    const member = file.members.get(userId) ?? { userId, messages: 0 }
    if (row.text.trim()) member.messages += 1
    file.members.set(userId, member)
    return {
      kind: 'created',
      workspace,
      userId,
      channelId,
      channelKind: 'public',
      messageId: `${row.ts}#${index}`,
      text: row.text,
      markup: row.markup === 'plain' ? 'console' : (row.markup ?? 'slack'),
      timestamp: toMilliseconds(row.ts),
      threadId: row.conversation_id === undefined ? undefined : String(row.conversation_id),
    }
  })
  file.messageCount = messages.length
  file.messages = () => messages
  file.channels = [...perChannel].map(([id, messages]) => ({ id, name: id, kind: 'public' as const, messages }))
  return file
}
