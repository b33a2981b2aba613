// Reads a conversation export into plain observed messages for an import: a JSONL chat file (one
// {team, channel, file_year, conversation_id, ts, user, text} object a line) or an unzipped Slack export directory
// (channels.json, users.json, <channel>/<day>.json). Translation only: what is stored is the core's decision.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { BotError } from '../../src/bot-error.js'
import type { ObservedMessage, WorkspaceRef } from '../../src/core/types.js'

const jsonlLineSchema = z.object({
  team: z.string().optional(),
  channel: z.string().optional(),
  file_year: z.union([z.string(), z.number()]).optional(),
  conversation_id: z.union([z.string(), z.number()]).optional(),
  ts: z.union([z.string(), z.number()]),
  user: z.string().min(1),
  text: z.string(),
})

const slackMessageSchema = z.object({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
})

export type ConversationFile = { messages: ObservedMessage[]; users: Map<string, number>; skippedLines: number }

/** Seconds (Slack `ts`) or an ISO date (no zone means UTC) to epoch milliseconds. */
function toMilliseconds(ts: string | number): number {
  if (typeof ts === 'number') return ts * 1000
  if (/^\d+(\.\d+)?$/.test(ts)) return Number(ts) * 1000
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) ? ts : ts + 'Z')
  return Number.isNaN(parsed) ? 0 : parsed
}

export async function readConversationFile(path: string, workspace: WorkspaceRef): Promise<ConversationFile> {
  if (!existsSync(path)) throw new BotError('input_invalid', `No file or directory at ${path}.`)
  return statSync(path).isDirectory() ? readSlackExport(path, workspace) : readJsonl(path, workspace)
}

async function readJsonl(path: string, workspace: WorkspaceRef): Promise<ConversationFile> {
  const rows: z.output<typeof jsonlLineSchema>[] = []
  let skippedLines = 0
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line.trim()) continue
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      skippedLines += 1
      continue
    }
    const row = jsonlLineSchema.safeParse(parsed)
    if (row.success) rows.push(row.data)
    else skippedLines += 1
  }
  // Pseudonyms are only unique within one (team, channel, year); qualify them when a file mixes several.
  const group = (row: (typeof rows)[number]) => [row.team, row.channel, row.file_year].filter((part) => part !== undefined).join('-') || 'imported'
  const groups = new Set(rows.map(group))
  const users = new Map<string, number>()
  const messages = rows.map((row, index): ObservedMessage => {
    const channelId = group(row)
    const userId = groups.size > 1 ? `${row.user}@${channelId}` : row.user
    users.set(userId, (users.get(userId) ?? 0) + (row.text.trim() ? 1 : 0))
    return {
      kind: 'created',
      workspace,
      userId,
      channelId,
      channelKind: 'public',
      messageId: `${row.ts}#${index}`,
      text: row.text,
      timestamp: toMilliseconds(row.ts),
      threadId: row.conversation_id === undefined ? undefined : String(row.conversation_id),
    }
  })
  return { messages, users, skippedLines }
}

function readSlackExport(directory: string, workspace: WorkspaceRef): ConversationFile {
  const channelsFile = join(directory, 'channels.json')
  if (!existsSync(channelsFile)) throw new BotError('input_invalid', `${directory} is not a Slack export: channels.json is missing.`)
  const channels = z.array(z.object({ id: z.string().optional(), name: z.string() })).parse(JSON.parse(readFileSync(channelsFile, 'utf8')))
  const messages: ObservedMessage[] = []
  const users = new Map<string, number>()
  let skippedLines = 0
  for (const channel of channels) {
    const folder = join(directory, channel.name)
    if (!existsSync(folder)) continue
    for (const day of readdirSync(folder).filter((name) => name.endsWith('.json')).sort()) {
      const parsed = z.array(z.unknown()).safeParse(JSON.parse(readFileSync(join(folder, day), 'utf8')))
      if (!parsed.success) {
        skippedLines += 1
        continue
      }
      for (const raw of parsed.data) {
        const item = slackMessageSchema.safeParse(raw)
        // Joins, bot posts and other subtypes are not something a member wrote.
        if (!item.success || !item.data.user || item.data.bot_id || (item.data.subtype && item.data.subtype !== 'thread_broadcast')) {
          skippedLines += 1
          continue
        }
        const value = item.data
        users.set(value.user!, (users.get(value.user!) ?? 0) + 1)
        messages.push({
          kind: 'created',
          workspace,
          userId: value.user!,
          channelId: channel.id ?? channel.name,
          channelKind: 'public',
          messageId: value.ts,
          text: value.text ?? '',
          timestamp: toMilliseconds(value.ts),
          threadId: value.thread_ts,
        })
      }
    }
  }
  messages.sort((a, b) => a.timestamp - b.timestamp)
  return { messages, users, skippedLines }
}
