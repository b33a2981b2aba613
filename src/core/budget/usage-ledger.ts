// Token accounting per workspace and per member per UTC day, and the daily budget that keeps one busy workspace
// from running up the bill. Reserve, then settle: a call is admitted only while the day's tokens used plus those
// reserved by calls in flight are below the budget, and reserves its bound; when it ends, its real usage replaces the
// reservation. Both steps are one atomic operation of the store's engine, so the budget holds across processes.
import { BotError } from '../../bot-error.js'
import type { TokenUsage } from '../../llm/language-model.js'
import type { Store } from '../../store/store.js'
import { memberChildKey, workspaceChildKey } from '../identity/keys.js'
import type { MemberRef, WorkspaceRef } from '../types.js'

export type UsageTotals = { promptTokens: number; completionTokens: number; calls: number }

/** What a call reserved; settle it exactly once. */
export type UsageReservation = { workspace: WorkspaceRef; day: string; reservedTokens: number }

const dayMs = 86_400_000
const keptMs = 40 * dayMs
/** Fields counted against the budget: what was used, and what calls in flight reserved. */
const budgetFields = ['promptTokens', 'completionTokens', 'reserved']

export type UsageLedger = ReturnType<typeof createUsageLedger>

export function createUsageLedger(store: Store, options: { dailyTokenBudget: number; clock: () => number }) {
  const counters = store.counters
  const today = () => new Date(options.clock()).toISOString().slice(0, 10)
  const totals = (values: Record<string, number>): UsageTotals => ({ promptTokens: values.promptTokens ?? 0, completionTokens: values.completionTokens ?? 0, calls: values.calls ?? 0 })
  const workspaceDay = (workspace: WorkspaceRef, day: string) => workspaceChildKey(workspace, 'day', day)
  const memberDay = (member: MemberRef, day: string) => memberChildKey(member, 'usage', day)
  const exceeded = () =>
    new BotError('llm_budget_exceeded', `Workspace daily token budget of ${options.dailyTokenBudget} reached`, {
      isRetryable: false,
      userMessage: `This workspace has used today's model budget (${options.dailyTokenBudget.toLocaleString('en')} tokens), so I can't draft or answer until it resets at midnight UTC. An admin can raise LLM_DAILY_TOKEN_BUDGET.`,
    })

  return {
    dailyTokenBudget: options.dailyTokenBudget,
    async workspaceToday(workspace: WorkspaceRef): Promise<UsageTotals> {
      return totals(await counters.get(workspaceDay(workspace, today())))
    },
    async memberToday(member: MemberRef): Promise<UsageTotals> {
      return totals(await counters.get(memberDay(member, today())))
    },
    /**
     * Admits a call that may use up to `boundTokens`, or throws `llm_budget_exceeded` (0 = no budget: no store call).
     * One atomic operation: the check and the reservation cannot be separated by another process's call.
     */
    async reserve(workspace: WorkspaceRef, boundTokens: number): Promise<UsageReservation> {
      const day = today()
      if (options.dailyTokenBudget <= 0) return { workspace, day, reservedTokens: 0 }
      const reservedTokens = Math.max(1, Math.ceil(boundTokens))
      const { added } = await counters.addWhileBelow(workspaceDay(workspace, day), {
        field: 'reserved',
        amount: reservedTokens,
        limitFields: budgetFields,
        limit: options.dailyTokenBudget,
        ttlMs: keptMs,
      })
      if (!added) throw exceeded()
      return { workspace, day, reservedTokens }
    },
    /** Replaces the reservation by the tokens really used (none for a call that failed before any); one round trip. */
    async settle(reservation: UsageReservation, member: MemberRef | undefined, used: TokenUsage | undefined) {
      const spent: Record<string, number> = used ? { promptTokens: used.promptTokens, completionTokens: used.completionTokens, calls: 1 } : {}
      const workspaceDeltas: Record<string, number> = reservation.reservedTokens ? { ...spent, reserved: -reservation.reservedTokens } : { ...spent }
      const entries = [{ key: workspaceDay(reservation.workspace, reservation.day), deltas: workspaceDeltas, ttlMs: keptMs }]
      if (member && used) entries.push({ key: memberDay(member, reservation.day), deltas: spent, ttlMs: keptMs })
      if (Object.keys(entries[0]!.deltas).length) await counters.add(entries)
    },
    /**
     * Takes `tokens` from a named daily allowance of the workspace (learning checks, LEARNING_VERIFY_DAILY_TOKENS),
     * in one atomic operation: false when the day's takings plus these would pass `limit`. Apart from the budget above,
     * which the same calls also meet through the metered model.
     */
    async takeAllowance(workspace: WorkspaceRef, allowance: 'verifyTokens', tokens: number, limit: number): Promise<boolean> {
      const amount = Math.max(1, Math.ceil(tokens))
      if (amount > limit) return false
      const { added } = await counters.addWhileBelow(workspaceDay(workspace, today()), { field: allowance, amount, limitFields: [allowance], limit: limit - amount + 1, ttlMs: keptMs })
      return added
    },
    /** Gives back what a call took from an allowance but did not use. */
    async returnAllowance(workspace: WorkspaceRef, allowance: 'verifyTokens', tokens: number) {
      const amount = Math.floor(tokens)
      if (amount > 0) await counters.add([{ key: workspaceDay(workspace, today()), deltas: { [allowance]: -amount }, ttlMs: keptMs }])
    },
    /** Counts usage without a reservation (a call made outside the metered model). */
    async record(workspace: WorkspaceRef, member: MemberRef | undefined, used: TokenUsage) {
      const day = today()
      await this.settle({ workspace, day, reservedTokens: 0 }, member, used)
    },
  }
}

/**
 * A call's bound, reserved before it runs: its prompt at four characters a token, plus its completion limit. Settling
 * charges what the model reported, so a call that used more than its bound still counts in full.
 */
export function callTokenBound(request: { messages: { content: string }[]; maxTokens?: number }): number {
  const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0)
  return Math.ceil(characters / 4) + (request.maxTokens ?? defaultCompletionBound)
}

export const defaultCompletionBound = 1000
