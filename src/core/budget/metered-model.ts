// Wraps the language model so every call is checked against the workspace's daily budget first and its token usage
// recorded after. The core only ever talks to a metered model.
import { isBotError } from '../../bot-error.js'
import type { CallContext, LanguageModel, TokenUsage } from '../../llm/language-model.js'
import type { UsageLedger } from './usage-ledger.js'

export function createMeteredModel(model: LanguageModel, ledger: UsageLedger): LanguageModel {
  /** Budget check, the call, then accounting: the same for text and structured calls. */
  const metered = async <R extends { usage: TokenUsage }>(context: CallContext, call: () => Promise<R>): Promise<R> => {
    const { workspace, member } = context
    await ledger.assertWithinBudget(workspace)
    let result: R
    try {
      result = await call()
    } catch (error) {
      // An unusable reply still cost tokens; without this a model that keeps failing would never meet the budget.
      if (isBotError(error) && error.tokensUsed) await ledger.record(workspace, member, error.tokensUsed)
      throw error
    }
    await ledger.record(workspace, member, result.usage)
    return result
  }
  return {
    name: model.name,
    generateText: (request) => metered(request.context, () => model.generateText(request)),
    generateObject: (request) => metered(request.context, () => model.generateObject(request)),
    close: model.close?.bind(model),
  }
}
