// With no model configured, every model call fails with llm_not_configured and tells the member both ways forward.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError } from '../src/bot-error.js'
import type { CallContext } from '../src/llm/language-model.js'
import { createUnconfiguredModel } from '../src/llm/unconfigured-model.js'

const context: CallContext = { workspace: { platform: 'console', workspaceId: 'T00FAKETEAM1' }, purpose: 'draft' }
const messages = [{ role: 'user' as const, content: 'draft something' }]

describe('createUnconfiguredModel', () => {
  it('unconfigured model names both ways forward', async () => {
    const model = createUnconfiguredModel()
    const calls = [
      model.generateText({ messages, context }),
      model.generateObject({ messages, context, schema: z.object({ text: z.string() }), schemaName: 'draft' }),
    ]
    for (const call of calls) {
      const error = await call.then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(isBotError(error, 'llm_not_configured')).toBe(true)
      if (!isBotError(error)) continue
      expect(error.isRetryable).toBe(false)
      expect(error.userMessage).toContain('LLM_API_KEY')
      expect(error.userMessage).toContain('LLM_BASE_URL')
      expect(error.userMessage).toContain('npm run model:pull')
    }
  })
})
