// The Slack chats for the HyPerAlign / DITTO protocol: the attribution protocol's members and time-ordered split;
// tasks are held-out messages (with the messages before them in the same conversation as thread context); the
// training texts are a diverse sample of the member's earlier messages; the style measure learns the whole 70%.
import type { ContextMessage } from '../src/core/types.js'
import { sampleDiverse } from '../src/core/style/sample-diverse.js'
import { protocolSelection, selectChatMembers, type ChatRow, type MemberSelection } from './chat-corpus.js'
import { withOtherReferences } from './cmcc-style-tasks.js'
import { roundRobin, spreadEvenly } from './run-pool.js'
import type { StyleAuthor, StyleDataset, StyleTask } from './style-dataset.js'

export type SlackStyleOptions = {
  trainTexts: number
  tasksPerAuthor: number
  /** Training messages per member the "ours + edits" condition drafts and edits toward (intents derived). */
  editTasks: number
  selection?: MemberSelection
  /** Held-out messages shorter than this say too little to draft from ("thanks", "ok"). */
  minimumWords?: number
  contextMessages?: number
}

const taskKind = 'chat message in a software-help Slack channel'
const memberOf = (row: ChatRow) => [row.team, row.channel, row.file_year, row.user].join('/')
const conversationOf = (row: ChatRow) => [row.team, row.channel, row.file_year, row.conversation_id ?? ''].join('/')

export function slackStyleDataset(rows: ChatRow[], corpus: string, options: SlackStyleOptions): StyleDataset {
  const selection = options.selection ?? protocolSelection
  const minimumWords = options.minimumWords ?? 6
  const contextMessages = options.contextMessages ?? 3
  const members = selectChatMembers(rows, selection)
  // The same order selectChatMembers uses (time, then file order), kept as rows so context can be looked up.
  const indexed = rows.map((row, index) => ({ row, index }))
  const byOrder = (a: (typeof indexed)[number], b: (typeof indexed)[number]) => compareTimestamps(a.row.ts, b.row.ts) || a.index - b.index
  const memberRows = new Map<string, typeof indexed>()
  const conversations = new Map<string, typeof indexed>()
  for (const entry of indexed) {
    if (!entry.row.text.trim()) continue
    const list = memberRows.get(memberOf(entry.row)) ?? []
    list.push(entry)
    memberRows.set(memberOf(entry.row), list)
    if (entry.row.conversation_id !== undefined) {
      const thread = conversations.get(conversationOf(entry.row)) ?? []
      thread.push(entry)
      conversations.set(conversationOf(entry.row), thread)
    }
  }
  for (const thread of conversations.values()) thread.sort(byOrder)

  const authors: StyleAuthor[] = []
  const perAuthor: StyleTask[][] = []
  for (const member of members) {
    const ordered = (memberRows.get(member.id) ?? []).sort(byOrder)
    const heldOut = ordered.slice(ordered.length - member.test.length)
    // Context only when the rows line up with the protocol's split exactly; otherwise tasks go without it.
    const aligned = heldOut.length === member.test.length && heldOut.every((entry, index) => entry.row.text === member.test[index])
    const candidates = member.test
      .map((text, index) => ({ text, entry: aligned ? heldOut[index] : undefined }))
      .filter(({ text }) => wordCount(text) >= minimumWords && text.length <= 1500)
    const chosen = spreadEvenly(candidates, options.tasksPerAuthor)
    if (chosen.length === 0) continue
    const author = authors.length
    const training = sampleDiverse(member.train.map((text, index) => ({ id: String(index), text, timestamp: index })), options.trainTexts).map((each) => each.text)
    authors.push({ id: member.id, trainTexts: training, measureTexts: member.train, editTasks: training.slice(0, options.editTasks).map((text) => ({ kind: taskKind, reference: text })) })
    perAuthor.push(
      chosen.map(({ text, entry }, index) => ({
        id: `${member.id}#${index + 1}`,
        author,
        kind: taskKind,
        reference: text,
        context: entry ? contextBefore(entry, conversations, contextMessages) : [],
      })),
    )
  }
  return {
    name: 'Slack chats',
    corpus,
    platform: 'slack',
    design:
      `the attribution protocol's ${members.length} most active members (time-ordered ${Math.round(selection.trainShare * 100)}/${Math.round((1 - selection.trainShare) * 100)} split); ` +
      `tasks: up to ${options.tasksPerAuthor} held-out messages of ${minimumWords}+ words per member, each with up to ${contextMessages} earlier messages of its conversation as thread context; ` +
      `${options.trainTexts} training messages per member (a diverse sample of the training share); the style measure learns each member from the whole training share.`,
    authors,
    tasks: withOtherReferences(roundRobin(perAuthor)),
  }
}

function contextBefore(entry: { row: ChatRow; index: number }, conversations: Map<string, { row: ChatRow; index: number }[]>, limit: number): ContextMessage[] {
  if (entry.row.conversation_id === undefined) return []
  const thread = conversations.get(conversationOf(entry.row)) ?? []
  const position = thread.findIndex((each) => each.index === entry.index)
  if (position <= 0) return []
  return thread.slice(Math.max(0, position - limit), position).map(({ row }) =>
    row.user === entry.row.user ? { author: 'self' as const, text: row.text } : { author: 'other' as const, text: row.text, authorLabel: row.user },
  )
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length
}

/** As the protocol's split orders messages: numerically when both are numbers, else as text (ISO times sort as text). */
function compareTimestamps(a: string, b: string): number {
  const numberA = Number(a)
  const numberB = Number(b)
  if (Number.isFinite(numberA) && Number.isFinite(numberB)) return numberA - numberB
  return a < b ? -1 : a > b ? 1 : 0
}
