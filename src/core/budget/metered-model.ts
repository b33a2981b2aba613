// Wraps the language model so every call reserves its bound against the workspace's daily budget first and settles
// its real token usage after. The core only ever talks to a metered model.
import { isBotError } from '../../bot-error.js'
import type { LanguageModel, TokenUsage } from '../../llm/language-model.js'
import { callTokenBound, type UsageLedger } from './usage-ledger.js'

export function createMeteredModel(model: LanguageModel, ledger: UsageLedger): LanguageModel {
  /** Budget check, the call, then accounting: the same for text and structured calls. */
  const metered = async <R extends { usage: TokenUsage }>(request: Parameters<LanguageModel['generateText']>[0], call: () => Promise<R>): Promise<R> => {
    const { workspace, member } = request.context
    const reservation = await ledger.reserve(workspace, callTokenBound(request))
    let result: R
    try {
      result = await call()
    } catch (error) {
      // An unusable reply still cost tokens; without this a model that keeps failing would never meet the budget.
      await ledger.settle(reservation, member, isBotError(error) ? error.tokensUsed : undefined)
      throw error
    }
    await ledger.settle(reservation, member, result.usage)
    return result
  }
  return {
    name: model.name,
    generateText: (request) => metered(request, () => model.generateText(request)),
    generateObject: (request) => metered(request, () => model.generateObject(request)),
    close: model.close?.bind(model),
  }
}
