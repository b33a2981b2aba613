// Derives each held-out text's intent (a neutral request saying what the text says, not how) with the model, once:
// intents are cached in the report folder by a hash of kind and text, so later runs and other models reuse them.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { BotError } from '../src/bot-error.js'
import type { PromptLibrary } from '../src/core/prompting/prompt-library.js'
import { quoteText } from '../src/core/prompting/quote-data.js'
import type { LanguageModel } from '../src/llm/language-model.js'

const cacheSchema = z.object({
  version: z.literal(1),
  intents: z.record(z.string(), z.object({ intent: z.string(), model: z.string(), kind: z.string() })),
})

export type IntentCache = {
  /** The cached intent for this text, or one derived now (and cached); throws when the model gives none. */
  intentFor(kind: string, text: string): Promise<{ intent: string; cached: boolean; model: string }>
  save(): void
  readonly path: string
}

export const intentContext = { workspace: { platform: 'console', workspaceId: 'eval:intents' }, purpose: 'eval' } as const

export function createIntentCache(path: string, model: LanguageModel, prompts: PromptLibrary): IntentCache {
  let stored: z.output<typeof cacheSchema> = { version: 1, intents: {} }
  if (existsSync(path)) {
    // A damaged cache is only a cache: start again rather than fail the run.
    const parsed = cacheSchema.safeParse(safeJson(readFileSync(path, 'utf8')))
    if (parsed.success) stored = parsed.data
  }
  let dirty = false
  const pending = new Map<string, Promise<{ intent: string; model: string }>>()
  return {
    path,
    async intentFor(kind, text) {
      const key = createHash('sha256').update(`${kind}\n${text}`).digest('hex').slice(0, 24)
      const hit = stored.intents[key]
      if (hit) return { intent: hit.intent, model: hit.model, cached: true }
      let derivation = pending.get(key)
      if (!derivation) {
        derivation = deriveIntent(model, prompts, kind, text)
        pending.set(key, derivation)
      }
      try {
        const derived = await derivation
        stored.intents[key] = { intent: derived.intent, model: derived.model, kind }
        dirty = true
        return { ...derived, cached: false }
      } finally {
        pending.delete(key)
      }
    },
    save() {
      if (!dirty) return
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, JSON.stringify(stored, null, 1) + '\n')
      dirty = false
    },
  }
}

export async function deriveIntent(model: LanguageModel, prompts: PromptLibrary, kind: string, text: string): Promise<{ intent: string; model: string }> {
  const result = await model.generateText({
    messages: [
      { role: 'system', content: prompts.render('eval-intent.system', {}) },
      { role: 'user', content: prompts.render('eval-intent.user', { kind, text: quoteText(text) }) },
    ],
    temperature: 0,
    seed: 1,
    maxTokens: 200,
    context: intentContext,
  })
  const intent = cleanIntent(result.text)
  if (!intent) throw new BotError('llm_output_invalid', 'The model returned an empty intent.')
  return { intent, model: result.model }
}

/** One paragraph, no wrapping quotes or label, at most 600 characters. */
export function cleanIntent(text: string): string {
  let intent = text.trim().replace(/^(request|intent)\s*:\s*/i, '')
  if (/^["“][\s\S]*["”]$/.test(intent)) intent = intent.slice(1, -1)
  intent = intent.replace(/\s+/g, ' ').trim()
  return intent.length > 600 ? intent.slice(0, 600).replace(/\s+\S*$/, '') + '…' : intent
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
