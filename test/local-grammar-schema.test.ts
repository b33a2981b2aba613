// zod schemas → the JSON-schema subset node-llama-cpp turns into a grammar: what is kept, what becomes a ladder of
// allowed values, and the named error for what a grammar cannot express.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isBotError } from '../src/bot-error.js'
import { grammarSchemaFor } from '../src/llm/local-grammar-schema.js'

describe('grammarSchemaFor', () => {
  it('keeps objects, enums, arrays and string lengths, and drops what only describes', () => {
    const schema = z.object({
      decision: z.enum(['comply', 'refuse']),
      rule_ids: z.array(z.string().max(20)).max(10),
      reason: z.string().min(1).max(600).regex(/./),
    })
    expect(grammarSchemaFor(schema, 'verdict')).toEqual({
      type: 'object',
      properties: {
        decision: { enum: ['comply', 'refuse'] },
        rule_ids: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 10 },
        reason: { type: 'string', minLength: 1, maxLength: 600 },
      },
      required: ['decision', 'rule_ids', 'reason'],
    })
  })

  it('turns a closed number range into a ladder of values that all pass the range', () => {
    const converted = grammarSchemaFor(z.object({ confidence: z.number().min(0).max(1) }), 'confidence') as { properties: { confidence: { enum: number[] } } }
    const ladder = converted.properties.confidence.enum
    expect(ladder).toHaveLength(11)
    expect(ladder[0]).toBe(0)
    expect(ladder.at(-1)).toBe(1)
    for (const value of ladder) expect(value >= 0 && value <= 1).toBe(true)
  })

  it('turns a small integer range into its values, and leaves open ranges free', () => {
    expect(grammarSchemaFor(z.int().min(1).max(3), 'rank')).toEqual({ enum: [1, 2, 3] })
    expect(grammarSchemaFor(z.number().min(0), 'positive')).toEqual({ type: 'number' })
  })

  it('makes nullable values and type lists alternatives, keeping per-type limits', () => {
    expect(grammarSchemaFor(z.string().max(5).nullable(), 'maybe')).toEqual({ oneOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] })
  })

  it('keeps only the string formats a grammar knows', () => {
    expect(grammarSchemaFor(z.iso.date(), 'day')).toEqual({ type: 'string', format: 'date' })
    expect(grammarSchemaFor(z.email(), 'mail')).toEqual({ type: 'string' })
  })

  it('a schema a grammar cannot express gives a named error', () => {
    const both = z.intersection(z.object({ a: z.string() }), z.record(z.string(), z.string()))
    let caught: unknown
    try {
      grammarSchemaFor(both, 'both')
    } catch (error) {
      caught = error
    }
    expect(isBotError(caught, 'llm_failed')).toBe(true)
    expect((caught as Error).message).toMatch(/"both" cannot be used with the local model: it uses "allOf"/)
  })
})
