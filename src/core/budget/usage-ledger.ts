// Token accounting per workspace and per member per UTC day, and the daily budget that keeps one busy workspace
// from running up the bill. Each total is read-modify-written under the keyed lock, so concurrent calls (in one
// process or several on a shared store) never lose each other's tokens.
import { z } from 'zod'
import { BotError } from '../../bot-error.js'
import type { TokenUsage } from '../../llm/language-model.js'
import type { Store } from '../../store/store.js'
import { memberChildKey, workspaceChildKey } from '../identity/keys.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import type { MemberRef, WorkspaceRef } from '../types.js'

const usageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() })
export type UsageTotals = z.output<typeof usageSchema>

const dayMs = 86_400_000

export type UsageLedger = ReturnType<typeof createUsageLedger>

export function createUsageLedger(store: Store, lock: KeyedLock, options: { dailyTokenBudget: number; clock: () => number }) {
  const usage = store.collection('usage', usageSchema)
  const today = () => new Date(options.clock()).toISOString().slice(0, 10)
  const empty: UsageTotals = { promptTokens: 0, completionTokens: 0, calls: 0 }
  const add = (key: string, delta: TokenUsage) =>
    // Lock keys outside the `v1:` space, so they can never meet a member's own lock.
    lock.run(`usage|${key}`, async () => {
      const current = (await usage.get(key)) ?? empty
      await usage.set(
        key,
        { promptTokens: current.promptTokens + delta.promptTokens, completionTokens: current.completionTokens + delta.completionTokens, calls: current.calls + 1 },
        40 * dayMs,
      )
    })
  const workspaceToday = async (workspace: WorkspaceRef) => (await usage.get(workspaceChildKey(workspace, 'day', today()))) ?? empty

  return {
    dailyTokenBudget: options.dailyTokenBudget,
    workspaceToday,
    async memberToday(member: MemberRef) {
      return (await usage.get(memberChildKey(member, 'usage', today()))) ?? empty
    },
    /** Throws `llm_budget_exceeded` when the workspace has used its daily tokens (0 = no budget). */
    async assertWithinBudget(workspace: WorkspaceRef) {
      if (options.dailyTokenBudget <= 0) return
      const used = await workspaceToday(workspace)
      if (used.promptTokens + used.completionTokens >= options.dailyTokenBudget) {
        throw new BotError(
          'llm_budget_exceeded',
          `Workspace daily token budget of ${options.dailyTokenBudget} reached`,
          {
            isRetryable: false,
            userMessage: `This workspace has used today's model budget (${options.dailyTokenBudget.toLocaleString('en')} tokens), so I can't draft or answer until it resets at midnight UTC. An admin can raise LLM_DAILY_TOKEN_BUDGET.`,
          },
        )
      }
    },
    async record(workspace: WorkspaceRef, member: MemberRef | undefined, delta: TokenUsage) {
      await add(workspaceChildKey(workspace, 'day', today()), delta)
      if (member) await add(memberChildKey(member, 'usage', today()), delta)
    },
  }
}
