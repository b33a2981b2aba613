// Wraps a language model to count calls and tokens per purpose for the report. It passes every call through
// unchanged and has no close(): the evaluation, not a core built on top of it, decides when the model closes.
import type { CallContext, GenerateObjectRequest, GenerateTextRequest, LanguageModel, TokenUsage } from '../src/llm/language-model.js'

export type UsageByPurpose = Record<string, { calls: number; failures: number; promptTokens: number; completionTokens: number }>

export type CountingModel = LanguageModel & { usage(): UsageByPurpose }

export function createCountingModel(model: LanguageModel, shared: UsageByPurpose = {}): CountingModel {
  const record = (context: CallContext, usage: TokenUsage | undefined) => {
    const entry = (shared[context.purpose] ??= { calls: 0, failures: 0, promptTokens: 0, completionTokens: 0 })
    entry.calls += 1
    if (!usage) entry.failures += 1
    else {
      entry.promptTokens += usage.promptTokens
      entry.completionTokens += usage.completionTokens
    }
  }
  const counted = async <R extends { usage: TokenUsage }>(context: CallContext, call: () => Promise<R>): Promise<R> => {
    try {
      const result = await call()
      record(context, result.usage)
      return result
    } catch (error) {
      record(context, undefined)
      throw error
    }
  }
  return {
    name: model.name,
    generateText: (request: GenerateTextRequest) => counted(request.context, () => model.generateText(request)),
    generateObject: <T>(request: GenerateObjectRequest<T>) => counted(request.context, () => model.generateObject(request)),
    usage: () => shared,
  }
}
