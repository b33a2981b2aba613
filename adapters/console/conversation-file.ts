// What reading an export yields for an import: plain observed messages, the members who wrote them (with the names
// the export gives them), and what was left out, counted by kind or named by file. Types and limits only.
import type { ChannelKind, ObservedMessage } from '../../src/core/types.js'

/** Bounds on what an import reads, so one oversized line or file cannot take the process's memory. */
export const importLimits = {
  /** One JSONL line; a line past this is skipped unread (Slack's own message limit is 40,000 characters). */
  lineBytes: 256 * 1024,
  /** One JSON file of an export (a channel's day, users.json, channels.json). */
  jsonFileBytes: 32 * 1024 * 1024,
  /** One message's text, as Slack itself allows at most. */
  messageCharacters: 40_000,
}

export type ImportedMember = {
  userId: string
  messages: number
  displayName?: string
  realName?: string
  username?: string
  deactivated?: boolean
}

export type ImportedChannel = { id: string; name: string; kind: ChannelKind; messages: number }

/** Why a line or message of an export was not passed on to the import. */
export type ReadSkipKind =
  | 'bot'
  | 'system'
  | 'tombstone'
  | 'file_without_comment'
  | 'not_a_message'
  | 'unreadable_line'
  | 'oversized_line'
  | 'oversized_message'

export type ConversationFile = {
  /** "the Slack export <name>", "<file>.jsonl". */
  description: string
  messages: ObservedMessage[]
  members: Map<string, ImportedMember>
  channels: ImportedChannel[]
  skipped: Map<ReadSkipKind, number>
  /** Direct-message conversations in the export, never read. */
  directConversations: number
  /** One line per file that could not be used, naming the file. */
  problems: string[]
}

export function emptyConversationFile(description: string): ConversationFile {
  return { description, messages: [], members: new Map(), channels: [], skipped: new Map(), directConversations: 0, problems: [] }
}

export function countSkip(file: ConversationFile, kind: ReadSkipKind, count = 1): void {
  file.skipped.set(kind, (file.skipped.get(kind) ?? 0) + count)
}
