// Reads a JSONL chat export (one `{ user, channel, ts, text, ... }` per line) into observed messages with scrubbed,
// stable ids for the benchmarks. Reads only; the names in the file never reach a stored key.
import { existsSync, readFileSync } from 'node:fs'
import type { ObservedMessage, WorkspaceRef } from '../src/core/types.js'

export type CorpusMessage = ObservedMessage & { userId: string; text: string }

export type ChatCorpus = {
  path: string
  messages: CorpusMessage[]
  /** Messages per scrubbed user id, in file order. */
  byMember: Map<string, CorpusMessage[]>
}

export const benchWorkspace: WorkspaceRef = { platform: 'slack', workspaceId: 'T00BENCHTEAM' }

/** Scrubbed ids: `U00BENCH0001`, `C00BENCH0001`, assigned in order of first appearance. */
export const benchUserId = (index: number) => `U00BENCH${String(index).padStart(4, '0')}`
const benchChannelId = (index: number) => `C00BENCH${String(index).padStart(4, '0')}`

/** Loads up to `limit` messages with text; undefined when the file does not exist. */
export function readChatCorpus(path: string, options: { limit?: number; workspace?: WorkspaceRef } = {}): ChatCorpus | undefined {
  if (!existsSync(path)) return undefined
  const workspace = options.workspace ?? benchWorkspace
  const users = new Map<string, string>()
  const channels = new Map<string, string>()
  const messages: CorpusMessage[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (messages.length >= limit) break
    if (!line.trim()) continue
    let record: { user?: unknown; channel?: unknown; ts?: unknown; text?: unknown }
    try {
      record = JSON.parse(line) as typeof record
    } catch {
      continue // a damaged line in a user's export is skipped, not fatal to the benchmark
    }
    if (typeof record.user !== 'string' || typeof record.text !== 'string' || !record.text.trim()) continue
    const channelName = typeof record.channel === 'string' ? record.channel : 'general'
    if (!users.has(record.user)) users.set(record.user, benchUserId(users.size + 1))
    if (!channels.has(channelName)) channels.set(channelName, benchChannelId(channels.size + 1))
    const parsed = typeof record.ts === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(record.ts) ? record.ts : `${record.ts}Z`) : Number.NaN
    const timestamp = Number.isFinite(parsed) ? parsed : 1_700_000_000_000 + messages.length * 60_000
    messages.push({
      kind: 'created',
      workspace,
      userId: users.get(record.user)!,
      channelId: channels.get(channelName)!,
      channelKind: 'public',
      messageId: `${Math.floor(timestamp / 1000)}.${String(messages.length).padStart(6, '0')}`,
      text: record.text,
      timestamp,
    })
  }
  return { path, messages, byMember: groupByMember(messages) }
}

export function groupByMember(messages: CorpusMessage[]): Map<string, CorpusMessage[]> {
  const byMember = new Map<string, CorpusMessage[]>()
  for (const message of messages) {
    const list = byMember.get(message.userId) ?? []
    list.push(message)
    byMember.set(message.userId, list)
  }
  return byMember
}

/**
 * `count` messages for one member, taken from `texts` in order and cycled when there are fewer, each with a fresh id
 * and a timestamp one minute after the previous one.
 */
export function messagesFor(member: { workspace: WorkspaceRef; userId: string }, texts: string[], count: number, options: { start?: number; channelId?: string; idPrefix?: string } = {}): CorpusMessage[] {
  const start = options.start ?? 1_700_000_000_000
  return Array.from({ length: count }, (_, index) => ({
    kind: 'created' as const,
    workspace: member.workspace,
    userId: member.userId,
    channelId: options.channelId ?? 'C00BENCH0001',
    channelKind: 'public' as const,
    messageId: `${options.idPrefix ?? member.userId}.${String(index).padStart(6, '0')}`,
    text: texts[index % texts.length]!,
    timestamp: start + index * 60_000,
  }))
}

/** Synthetic chat texts, for when no corpus is available: varied lengths, casing and punctuation. */
export function syntheticTexts(count: number, seed = 1): string[] {
  const openers = ['hey', 'Hi all,', 'ok so', 'Quick question:', 'fwiw', 'Morning!', 'yeah', 'Thanks,']
  const bodies = [
    'the deploy moved to friday because the migration needs another review',
    'can someone look at the failing test in the billing service',
    'I pushed a fix for the flaky login spec, should be green now',
    'does anyone know why the build cache keeps missing on CI?',
    'we should probably split this PR, it touches too many modules',
    'lunch at noon? the new place on 5th street',
    'I think the docs are out of date for the config loader',
    'rebasing onto main now, will ping when it is ready',
  ]
  const closers = ['', '.', '!', ' :)', '?', ' thanks', '...', ' 🚀']
  let state = seed
  const next = (modulo: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state % modulo
  }
  return Array.from({ length: count }, () => `${openers[next(openers.length)]} ${bodies[next(bodies.length)]}${closers[next(closers.length)]}`)
}
