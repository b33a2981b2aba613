// Reads chat JSONL exports ({team, channel, file_year, conversation_id, ts, user, text} per line) and applies the
// attribution protocol's member selection and time-ordered split. Reads only the path it is given; copies nothing.
import { existsSync, readFileSync } from 'node:fs'
import { z } from 'zod'
import { BotError } from '../src/bot-error.js'

export const chatRowSchema = z.object({
  team: z.string(),
  channel: z.string(),
  file_year: z.union([z.string(), z.number()]).transform(String),
  conversation_id: z.union([z.string(), z.number()]).transform(String).optional(),
  ts: z.union([z.string(), z.number()]).transform(String),
  user: z.string(),
  text: z.string(),
})

export type ChatRow = z.output<typeof chatRowSchema>

/** One candidate author: training texts (the first share, by time) and held-out texts (the rest). */
export type AttributionMember = { id: string; train: string[]; test: string[] }

export type MemberSelection = { members: number; minimumMessages: number; trainShare: number }

export const protocolSelection: MemberSelection = { members: 50, minimumMessages: 50, trainShare: 0.7 }

export function readJsonLines<T>(path: string, schema: z.ZodType<T>, what: string): T[] {
  if (!existsSync(path)) {
    throw new BotError('not_found', `${what} not found at ${path}; pass its path as an argument or set DATA_DIR to the data folder.`)
  }
  const rows: T[] = []
  const lines = readFileSync(path, 'utf8').split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim()
    if (!line) continue
    const parsed = schema.safeParse(JSON.parse(line))
    if (!parsed.success) throw new BotError('input_invalid', `${path}:${index + 1} is not a ${what} row: ${parsed.error.issues[0]?.message}`)
    rows.push(parsed.data)
  }
  return rows
}

/** Member = (team, channel, file_year, user); the most active members with enough non-empty messages. */
export function selectChatMembers(rows: ChatRow[], selection: MemberSelection = protocolSelection): AttributionMember[] {
  const byMember = new Map<string, ChatRow[]>()
  for (const row of rows) {
    if (!row.text.trim()) continue
    const id = [row.team, row.channel, row.file_year, row.user].join('/')
    let list = byMember.get(id)
    if (!list) byMember.set(id, (list = []))
    list.push(row)
  }
  const ranked = [...byMember.entries()]
    .filter(([, list]) => list.length >= selection.minimumMessages)
    .sort(([idA, a], [idB, b]) => b.length - a.length || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .slice(0, selection.members)
  return ranked.map(([id, list]) => {
    const ordered = list
      .map((row, index) => ({ row, index }))
      .sort((a, b) => compareTimestamps(a.row.ts, b.row.ts) || a.index - b.index)
      .map(({ row }) => row.text)
    const cut = Math.floor(ordered.length * selection.trainShare)
    return { id, train: ordered.slice(0, cut), test: ordered.slice(cut) }
  })
}

function compareTimestamps(a: string, b: string): number {
  const numberA = Number(a)
  const numberB = Number(b)
  if (Number.isFinite(numberA) && Number.isFinite(numberB)) return numberA - numberB
  return a < b ? -1 : a > b ? 1 : 0
}
