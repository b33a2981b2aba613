// The hot path: platform message -> (policy, consent, channel, size) filters -> normalised text in the member's
// bounded history -> style counts (write-behind) -> "due for learning". Never calls a model; stores nothing before opt-in.
import type { ContrastStore } from '../records/contrast-store.js'
import type { ConsentService } from '../records/consent-service.js'
import type { HistoryStore } from '../records/history-store.js'
import { memberKey } from '../identity/keys.js'
import type { LearningStateStore } from '../records/learning-state-store.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { MemberStyleStore } from '../records/member-style-store.js'
import type { StyleWriteBehind } from './style-write-behind.js'
import { normalizeMarkup } from './normalize-markup.js'
import type { PolicyService } from '../records/policy-service.js'
import type { MemberRef, ObservedMessage, ObserveOutcome } from '../types.js'

export type ObserveDependencies = {
  policies: PolicyService
  /** Used by the batch observer; the live path checks consent inside the store's append step. */
  consent: ConsentService
  history: HistoryStore
  style: MemberStyleStore
  /** Counts new rows into the style record later, coalesced (edits and deletions apply at once). */
  styleWriteBehind: StyleWriteBehind
  learning: LearningStateStore
  /** "Not like this" drafts of a message go when the message is deleted on the platform. */
  contrast: ContrastStore
  lock: KeyedLock
  settings: { maxMessages: number; maxMessageCharacters: number; minNewMessages: number; minIntervalMs: number }
  clock: () => number
  onDue: (member: MemberRef) => void
}

export type ObserveOptions = {
  /** The admin chose these messages (an import), so the channel allow-list does not apply (consent still does). */
  skipChannelCheck?: boolean
  /** Report "due" in the outcome instead of starting learning (an import learns once it is complete). */
  deferLearning?: boolean
}

/** Text in the markup it was written in: a message's own dialect, else its workspace platform's. */
export const normalizedText = (message: ObservedMessage) => normalizeMarkup(message.text ?? '', message.markup ?? message.workspace.platform)

export function createObservePipeline(dependencies: ObserveDependencies) {
  const { policies, history, style, styleWriteBehind, learning, lock, settings, clock } = dependencies

  const created = async (message: ObservedMessage, options: ObserveOptions): Promise<ObserveOutcome> => {
    if (!message.userId) return { status: 'ignored', reason: 'unknown_message' }
    const policy = await policies.getForObserve(message.workspace)
    if (!policy.enabled) return { status: 'ignored', reason: 'bot_disabled' }
    if (!options.skipChannelCheck && !policies.learnsFrom(policy, message.channelId, message.channelKind)) {
      return { status: 'ignored', reason: 'channel_not_enabled' }
    }
    const member: MemberRef = { ...message.workspace, userId: message.userId }
    const text = normalizedText(message)
    if (!text) return { status: 'ignored', reason: 'empty' }
    // A pasted log or document says little about how someone writes, and would bloat the store and any prompt it is
    // picked for as an example.
    if (text.length > settings.maxMessageCharacters) return { status: 'ignored', reason: 'too_long' }
    const stored = {
      id: message.messageId,
      channelId: message.channelId,
      channelKind: message.channelKind,
      threadId: message.threadId,
      text,
      timestamp: message.timestamp,
      storedAt: clock(),
    }
    // One atomic step of the store: consent (an opt-out or forget that lands first wins), the claim (stored once,
    // whichever process got the event), the number and the row. A step that fails has written nothing, so a retried
    // delivery simply runs it again; one whose answer was lost finds its own claim and counts as a duplicate.
    const appended = await history.appendLive(member, stored, policy.retentionDays)
    if (appended.status === 'not_opted_in') return { status: 'ignored', reason: 'not_opted_in' }
    if (appended.status === 'duplicate') return { status: 'ignored', reason: 'duplicate' }
    await styleWriteBehind.appended(member, appended.seq)
    const due = await learning.dueAfter(member, appended.newMessages, clock(), settings)
    if (due && !options.deferLearning) dependencies.onDue(member)
    return { status: 'stored', due }
  }

  const changed = async (message: ObservedMessage): Promise<ObserveOutcome> => {
    const owner = await history.owner(message.workspace, message.channelId, message.messageId)
    if (!owner) return { status: 'ignored', reason: 'unknown_message' }
    const member: MemberRef = { ...message.workspace, userId: owner.userId }
    if (message.kind === 'edited') {
      const text = normalizedText(message)
      // Edited to nothing, or past the size bound: what was kept no longer stands for what they wrote.
      if (!text || text.length > settings.maxMessageCharacters) return changed({ ...message, kind: 'deleted' })
      return lock.run(memberKey(member), async () => {
        const previous = await history.edit(member, message.channelId, message.messageId, text, (await policies.get(member)).retentionDays)
        if (!previous) return { status: 'ignored', reason: 'unknown_message' } as const
        // The example pool refers to the row, so it shows the edit without being touched.
        await style.rowsChanged(member, { add: [{ ...previous, text }], remove: [previous] })
        return { status: 'updated' } as const
      })
    }
    return lock.run(memberKey(member), async () => {
      const removed = await history.remove(member, message.channelId, message.messageId)
      if (!removed) return { status: 'ignored', reason: 'unknown_message' } as const
      await style.rowsChanged(member, { add: [], remove: [removed] })
      await dependencies.contrast.dropFrom(member, new Set([`${message.channelId}\n${message.messageId}`]), (await policies.get(member)).retentionDays)
      return { status: 'deleted' } as const
    })
  }

  return {
    async observe(message: ObservedMessage, options: ObserveOptions = {}): Promise<ObserveOutcome> {
      if (message.isBot) return { status: 'ignored', reason: 'bot' }
      // Direct messages are never learning material (and never carried into a channel).
      if (message.channelKind === 'direct') return { status: 'ignored', reason: 'direct_message' }
      return message.kind === 'created' ? created(message, options) : changed(message)
    },
  }
}
