// A process that makes model calls through the core's metered model (real store from STORE_URL, real openai SDK
// against LLM_BASE_URL), as a bot process would, and prints what it was allowed: for the budget test across
// processes. Arguments: <calls> <concurrency> <daily budget> <workspace id>. Test code only.
import { loadConfig } from '../../src/config.js'
import { createMeteredModel } from '../../src/core/budget/metered-model.js'
import { createUsageLedger } from '../../src/core/budget/usage-ledger.js'
import { createOpenAiModel } from '../../src/llm/openai-model.js'
import { openStore } from '../../src/store/open-store.js'

const [calls, concurrency, budget] = process.argv.slice(2, 5).map(Number) as [number, number, number]
const workspaceId = process.argv[5] ?? 'T00BUDGETTEAM'
const config = loadConfig()
const store = await openStore(config.STORE_URL)
const ledger = createUsageLedger(store, { dailyTokenBudget: budget, clock: Date.now })
const model = createMeteredModel(createOpenAiModel({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: 30_000, maxRetries: 0 }), ledger)
/** Every call the same: 40 characters of prompt (10 tokens at four a token) and at most 5 completion tokens. */
export const budgetCallRequest = { messages: [{ role: 'user' as const, content: 'count this call against the budget, ok?!' }], maxTokens: 5 }
let admitted = 0
const refused: string[] = []
let next = 0
const lane = async () => {
  while (next < calls) {
    next += 1
    try {
      await model.generateText({ ...budgetCallRequest, context: { workspace: { platform: 'slack', workspaceId }, member: { platform: 'slack', workspaceId, userId: 'U00FAKEUSER1' }, purpose: 'draft' } })
      admitted += 1
    } catch (error) {
      refused.push((error as { code?: string }).code ?? 'unknown')
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, lane))
process.stdout.write(JSON.stringify({ event: 'metered_calls_done', admitted, refused }) + '\n')
await store.close()
process.exit(0)
