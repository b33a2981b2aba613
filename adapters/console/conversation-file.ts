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
  /** Skipped JSONL lines named by number; past these only the counts grow, so a broken file costs no memory. */
  listedLines: 20,
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
  /** How many messages `messages()` yields. */
  messageCount: number
  /**
   * The messages in import order, from the start on each call. A JSONL file is read again from disk, so an import
   * holds a batch of it at a time, never the file; a Slack export's days are sorted by time, so it is in memory.
   */
  messages: () => readonly ObservedMessage[] | AsyncIterable<ObservedMessage>
  members: Map<string, ImportedMember>
  channels: ImportedChannel[]
  skipped: Map<ReadSkipKind, number>
  /** Direct-message conversations in the export, never read. */
  directConversations: number
  /** One line per file that could not be used, naming the file. */
  problems: string[]
  /** The first lines of a JSONL file that were skipped, by line number (at most `importLimits.listedLines`). */
  skippedLines: { line: number; kind: ReadSkipKind }[]
}

export function emptyConversationFile(description: string): ConversationFile {
  return { description, messageCount: 0, messages: () => [], members: new Map(), channels: [], skipped: new Map(), directConversations: 0, problems: [], skippedLines: [] }
}

export function countSkip(file: ConversationFile, kind: ReadSkipKind, count = 1): void {
  file.skipped.set(kind, (file.skipped.get(kind) ?? 0) + count)
}
