// The observe path for many messages at once (imports): the same filters and the same end state as observing each
// message in turn, in a few writes per batch instead of about ten per message. Claims go to the store in one
// statement; each member's messages are appended in three writes and their learning state updated once per batch.
// Their style counts are folded once per import (`foldStyle`), not per batch: a long export drops most of a member's
// rows from the history again before it ends, and counts folded per batch would count each such row in and then out
// again, reading and rewriting the style record each time. Until the fold, a read of the counts adds the rows not yet
// folded and leaves out those past the bound, so nothing reads stale counts meanwhile; the fold also deletes the rows
// past the bound. Crash-safe: the style counts follow the history's `seq` (member-style-store.ts), so
// a fold after a crash counts exactly the rows stored; the history marks the batch `unsettled` from the append until
// the author index and learning state include it, and a member found so marked has those repaired from the history.
// Callers (the importer) run the admin and workspace checks first.
import { memberKey } from '../identity/keys.js'
import type { StoredMessage } from '../records/history-store.js'
import { isDue } from '../records/learning-state-store.js'
import type { MemberRef, ObservedMessage, ObserveOutcome } from '../types.js'
import { normalizedText, type ObserveDependencies } from './observe-pipeline.js'

/**
 * Every claim an import makes carries this token, so a re-import takes back claims a crashed import left before
 * appending; under the member lock only messages still unappended are stored, so two importers store each once.
 */
const importClaimToken = 'import'

/** Members whose batch is stored at the same time. */
const membersInFlight = 4

type Candidate = { index: number; member: MemberRef; stored: StoredMessage }

export function createBatchObserver(dependencies: ObserveDependencies) {
  const { policies, consent, history, style, learning, lock, settings, clock } = dependencies

  /**
   * Brings the author index back in step with the history after an interrupted batch, and counts the batch's
   * messages as new for learning. (Only a stop between the learning write and settled() counts them twice, which
   * makes learning due a little early.)
   */
  const settle = async (member: MemberRef, unsettled: number, retentionDays: number) => {
    await history.reindex(member, retentionDays)
    await learning.update(member, (current) => ({ ...current, newMessages: current.newMessages + unsettled }))
    await history.settled(member)
  }

  /** One member's claimed messages, under the member lock; the outcome of each, by index. */
  const storeForMember = async (member: MemberRef, candidates: Candidate[], retentionDays: number, outcomes: ObserveOutcome[], foldStyle: boolean) => {
    let rebuilt = false
    await lock.run(memberKey(member), async (held) => {
      // Again under the lock: an opt-out or forget that ran since the check before the claims wins over this batch.
      if (!(await consent.isOptedIn(member))) {
        await history.releaseMany(candidates.map((each) => ({ member, channelId: each.stored.channelId, messageId: each.stored.id })))
        for (const each of candidates) outcomes[each.index] = { status: 'ignored', reason: 'not_opted_in' }
        return
      }
      const unsettled = await history.unsettled(member)
      if (unsettled) {
        await settle(member, unsettled, retentionDays)
        rebuilt = true
      }
      const open = await history.unappended(member, candidates.map((each) => each.stored))
      const fresh = candidates.filter((_each, index) => open[index])
      for (const each of candidates.filter((_each, index) => !open[index])) outcomes[each.index] = { status: 'ignored', reason: 'duplicate' }
      if (!fresh.length) return
      try {
        await history.appendMany(member, fresh.map((each) => each.stored), retentionDays)
      } catch (error) {
        // Let a later import store them: the claims alone must not mark the messages as seen. A failure after the
        // append needs no release: the batch stays unsettled, and the member's next batch repairs from the history.
        await history.releaseMany(fresh.map((each) => ({ member, channelId: each.stored.channelId, messageId: each.stored.id }))).catch(() => {})
        throw error
      }
      // The fold counts the batch in and the rows it pushed past the bound out, then deletes those.
      if (foldStyle) await style.fold(member, held)
      const state = await learning.update(member, (current) => ({ ...current, newMessages: current.newMessages + fresh.length }))
      await history.settled(member)
      const due = isDue(state, clock(), settings)
      for (const each of fresh) outcomes[each.index] = { status: 'stored', due }
    })
    return rebuilt
  }

  return {
    /**
     * Observes new messages of one workspace as an import does: public channels skip the allow-list (the admin
     * chose them), private ones need it, consent always counts. Returns each message's outcome, and the members
     * whose counts were rebuilt after an interrupted import (their calibration went with the old counts).
     */
    async observeMany(messages: readonly ObservedMessage[], options: { foldStyle?: boolean } = {}): Promise<{ outcomes: ObserveOutcome[]; rebuilt: MemberRef[] }> {
      const foldStyle = options.foldStyle ?? true
      const outcomes: ObserveOutcome[] = messages.map(() => ({ status: 'ignored', reason: 'unknown_message' }))
      const rebuilt: MemberRef[] = []
      const [first] = messages
      if (!first) return { outcomes, rebuilt }
      const policy = await policies.get(first.workspace)
      const optedIn = new Map<string, Promise<boolean>>()
      const seen = new Set<string>()
      const candidates: Candidate[] = []
      for (const [index, message] of messages.entries()) {
        const ignore = (reason: Extract<ObserveOutcome, { status: 'ignored' }>['reason']) => (outcomes[index] = { status: 'ignored', reason })
        if (message.isBot) ignore('bot')
        else if (message.channelKind === 'direct') ignore('direct_message')
        else if (message.kind !== 'created' || !message.userId) ignore('unknown_message')
        else if (!policy.enabled) ignore('bot_disabled')
        else if (message.channelKind !== 'public' && !policies.learnsFrom(policy, message.channelId, message.channelKind)) ignore('channel_not_enabled')
        else {
          const member: MemberRef = { ...message.workspace, userId: message.userId }
          let memberOptedIn = optedIn.get(member.userId)
          if (!memberOptedIn) optedIn.set(member.userId, (memberOptedIn = consent.isOptedIn(member)))
          const text = normalizedText(message)
          const key = JSON.stringify([message.channelId, message.messageId])
          if (!(await memberOptedIn)) ignore('not_opted_in')
          else if (!text) ignore('empty')
          else if (text.length > settings.maxMessageCharacters) ignore('too_long')
          else if (seen.has(key)) ignore('duplicate')
          else {
            seen.add(key)
            const stored: StoredMessage = { id: message.messageId, channelId: message.channelId, channelKind: message.channelKind, threadId: message.threadId, text, timestamp: message.timestamp, storedAt: clock() }
            candidates.push({ index, member, stored })
          }
        }
      }
      const claimed = await history.claimMany(
        candidates.map((each) => ({ member: each.member, channelId: each.stored.channelId, messageId: each.stored.id })),
        policy.retentionDays,
        importClaimToken,
      )
      const byMember = new Map<string, Candidate[]>()
      for (const [position, each] of candidates.entries()) {
        if (!claimed[position]) outcomes[each.index] = { status: 'ignored', reason: 'duplicate' }
        else byMember.set(each.member.userId, [...(byMember.get(each.member.userId) ?? []), each])
      }
      // A few members at a time: one member's writes wait on the store, another's style counting can use the CPU.
      const groups = [...byMember.values()]
      const worker = async () => {
        for (let group = groups.shift(); group; group = groups.shift()) {
          const member = group[0]!.member
          if (await storeForMember(member, group, policy.retentionDays, outcomes, foldStyle)) rebuilt.push(member)
        }
      }
      const results = await Promise.allSettled(Array.from({ length: membersInFlight }, worker))
      const failed = results.find((result) => result.status === 'rejected')
      if (failed) throw failed.reason
      return { outcomes, rebuilt }
    },

    /**
     * Folds the members' style counts up to their history, each under the member lock (after batches observed with
     * `foldStyle: false`). A few members at a time, as the batches store them.
     */
    async foldStyle(members: readonly MemberRef[]): Promise<void> {
      const queue = [...members]
      const worker = async () => {
        for (let member = queue.shift(); member; member = queue.shift()) {
          const each = member
          await lock.run(memberKey(each), (held) => style.fold(each, held))
        }
      }
      const results = await Promise.allSettled(Array.from({ length: membersInFlight }, worker))
      const failed = results.find((result) => result.status === 'rejected')
      if (failed) throw failed.reason
    },
  }
}
