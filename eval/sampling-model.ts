// Several samples per task: wraps the generator so that every draft call made while a sample runs (in a prompt
// condition or inside the core's pipeline, best-of-n candidates included) uses the evaluation's temperature and a
// seed of its own for that sample. One place decides this, so every condition samples alike. Calls outside a sample
// (learning, the safety check, intents) pass through unchanged.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { GenerateObjectRequest, GenerateTextRequest, LanguageModel } from '../src/llm/language-model.js'

export type SamplingModel = {
  model: LanguageModel
  /** Runs `work` as sample `index` (0-based): its draft calls get seed (their own seed or 1) + 1000 × index. */
  sample<T>(index: number, work: () => Promise<T>): Promise<T>
}

export const seedsPerSample = 1000

export function createSamplingModel(model: LanguageModel, temperature: number): SamplingModel {
  const current = new AsyncLocalStorage<number>()
  const adjust = <R extends GenerateTextRequest | GenerateObjectRequest<unknown>>(request: R): R => {
    const index = current.getStore()
    if (index === undefined || request.context.purpose !== 'draft') return request
    return { ...request, temperature, seed: (request.seed ?? 1) + seedsPerSample * index }
  }
  return {
    model: {
      name: model.name,
      generateText: (request) => model.generateText(adjust(request)),
      generateObject: (request) => model.generateObject(adjust(request)),
    },
    sample: (index, work) => current.run(index, work),
  }
}
