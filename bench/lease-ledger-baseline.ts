// The usage ledger as it was before coordination moved to the engines' own operations: the budget read, then each
// total read-modify-written under a lease in the store. Kept only as the baseline of the round-trip figure.
import { z } from 'zod'
import type { TokenUsage } from '../src/llm/language-model.js'
import type { Store } from '../src/store/store.js'

const usageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number(), calls: z.number() })
const leaseSchema = z.object({ owner: z.string(), until: z.number() })

export function createLeaseLedgerBaseline(store: Store, dailyTokenBudget: number) {
  const usage = store.collection('usage', usageSchema)
  const leases = store.collection('locks', leaseSchema)
  const add = async (key: string, delta: TokenUsage) => {
    while (!(await leases.setIfAbsent(`usage|${key}`, { owner: 'bench', until: Date.now() + 30_000 }, 30_000))) await new Promise((resolve) => setTimeout(resolve, 20))
    try {
      const current = (await usage.get(key)) ?? { promptTokens: 0, completionTokens: 0, calls: 0 }
      await usage.set(key, { promptTokens: current.promptTokens + delta.promptTokens, completionTokens: current.completionTokens + delta.completionTokens, calls: current.calls + 1 }, 40 * 86_400_000)
    } finally {
      await leases.delete(`usage|${key}`)
    }
  }
  return {
    /** One model call's accounting: the budget check before, the workspace and member totals after. */
    async account(workspaceKey: string, memberKey: string, delta: TokenUsage) {
      const used = (await usage.get(workspaceKey)) ?? { promptTokens: 0, completionTokens: 0, calls: 0 }
      if (used.promptTokens + used.completionTokens >= dailyTokenBudget) throw new Error('budget exceeded')
      await add(workspaceKey, delta)
      await add(memberKey, delta)
    },
  }
}
