// What one learning run's check may spend: a per-run token cap and the workspace's daily allowance for checks (in
// the usage ledger, so it holds across processes). A call is admitted only when its bound fits both; what it did
// not use is given back. The run stops checking, it does not fail, when the budget is spent.
import type { TokenUsage } from '../../llm/language-model.js'
import { callTokenBound, type UsageLedger } from '../budget/usage-ledger.js'
import type { WorkspaceRef } from '../types.js'

export type CheckBudget = ReturnType<typeof createCheckBudget>

export function createCheckBudget(ledger: UsageLedger, workspace: WorkspaceRef, limits: { runTokens: number; dailyTokens: number }) {
  let spent = 0
  let refused = false
  return {
    /** Runs the call when its bound fits; undefined (and nothing called) when it does not. */
    async call<R extends { usage: TokenUsage }>(request: { messages: { content: string }[]; maxTokens?: number }, run: () => Promise<R>): Promise<R | undefined> {
      const bound = Math.ceil(callTokenBound(request))
      if (refused || spent + bound > limits.runTokens || !(await ledger.takeAllowance(workspace, 'verifyTokens', bound, limits.dailyTokens))) {
        refused = true
        return undefined
      }
      spent += bound
      const result = await run()
      // The bound is an estimate (four characters a token, plus maxTokens): a call that used more counts in full.
      const used = result.usage.promptTokens + result.usage.completionTokens
      spent += used - bound
      await ledger.returnAllowance(workspace, 'verifyTokens', bound - used)
      if (spent >= limits.runTokens) refused = true
      return result
    },
    /** True once a call was refused: the rest of the run's check is skipped. */
    get exhausted() {
      return refused
    },
    get spentTokens() {
      return spent
    },
  }
}
