// Without the node-llama-cpp package (a slim production install that uses a hosted model), importing the provider still
// works, and opening the embedded model gives a clear llm_not_configured error naming both ways forward.
import { describe, expect, it, vi } from 'vitest'
import { isBotError } from '../src/bot-error.js'
import { requires, testModel } from '../testing/support/test-prerequisites.js'

// The package cannot be uninstalled for one test file, so its import is made to fail the way a missing package does.
vi.mock('node-llama-cpp', () => {
  throw Object.assign(new Error("Cannot find package 'node-llama-cpp' imported from src/llm/local-model.ts"), { code: 'ERR_MODULE_NOT_FOUND' })
})

const modelPath = testModel.path

describe('embedded model without the node-llama-cpp package', () => {
  it('says how to install it or use a hosted model instead', requires(testModel), async () => {
    const { createLocalModel } = await import('../src/llm/local-model.js')
    const error = await createLocalModel({ modelPath, threads: 1, contextSize: 512, maxSequences: 1 }).catch((caught: unknown) => caught)
    expect(isBotError(error, 'llm_not_configured')).toBe(true)
    expect((error as Error).message).toMatch(/node-llama-cpp package, which is not installed/)
    expect((error as Error).message).toContain('npm ci')
    expect((error as Error).message).toContain('LLM_API_KEY')
  })

  it('the rest of the bot still loads: the provider modules import without the package', async () => {
    const factory = await import('../src/llm/local-model-factory.js')
    const pull = await import('../src/llm/model-pull.js')
    expect(typeof factory.openLocalModel).toBe('function')
    expect(typeof pull.offerLocalModelDownload).toBe('function')
  })
})
