// Turns zod schemas into `response_format`s and schema instructions, and model replies back into checked objects.
// Schema authors: the strict json_schema mode needs every field required; write `.nullable()`, not `.optional()`,
// and an object at the root. A schema that breaks this still works, sent non-strict, with a warning in the log.
import { zodResponseFormat } from 'openai/helpers/zod'
import { z } from 'zod'
import type { ChatMessage } from './language-model.js'
import type { CompletionReply, ResponseFormat } from './openai-chat-completion.js'

export type ObjectOutcome<T> =
  | { kind: 'valid'; object: T }
  | { kind: 'refused' }
  /** `problem` is safe to send back to the model; `cause` never carries the model's text. */
  | { kind: 'not_json' | 'schema_violation'; problem: string; cause: Error }

export type SchemaFormats = {
  /** `response_format` for servers that support json_schema. */
  jsonSchema: ResponseFormat
  /** Set when the schema cannot be strict; why, for the log. */
  notStrictBecause?: string
  /** The schema as compact JSON, stated in the prompt when the server only has JSON mode. */
  schemaText: string
}

const formatsBySchema = new WeakMap<z.ZodType, Map<string, SchemaFormats>>()

export function schemaFormats(schema: z.ZodType, schemaName: string): SchemaFormats {
  const name = schemaName.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'output'
  const known = formatsBySchema.get(schema)?.get(name)
  if (known) return known
  const jsonSchema = plainJsonSchema(schema)
  const schemaText = JSON.stringify(jsonSchema)
  let formats: SchemaFormats
  try {
    formats = { jsonSchema: zodResponseFormat(schema, name), schemaText }
  } catch (error) {
    formats = {
      jsonSchema: { type: 'json_schema', json_schema: { name, strict: false, schema: jsonSchema } },
      notStrictBecause: error instanceof Error ? error.message : String(error),
      schemaText,
    }
  }
  if (!formatsBySchema.has(schema)) formatsBySchema.set(schema, new Map())
  formatsBySchema.get(schema)!.set(name, formats)
  return formats
}

export const jsonObjectFormat: ResponseFormat = { type: 'json_object' }

/** JSON mode: the schema goes into the system message (appended to the first one, or a new one in front). */
export function withSchemaInstructions(messages: ChatMessage[], schemaText: string): ChatMessage[] {
  const instructions = `Reply with only one JSON object and no other text. It must conform to this JSON schema:\n\`\`\`json\n${schemaText}\n\`\`\``
  const first = messages[0]
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instructions}` }, ...messages.slice(1)]
  return [{ role: 'system', content: instructions }, ...messages]
}

/**
 * The one repair attempt: the model sees its invalid reply and what was wrong with it. The schema is repeated only
 * when `schemaText` is given (json_schema mode, where the prompt does not already state it).
 */
export function withRepairRequest(messages: ChatMessage[], invalidReply: string, problem: string, schemaText?: string): ChatMessage[] {
  const schema = schemaText === undefined ? 'the JSON schema above' : `this JSON schema:\n\`\`\`json\n${schemaText}\n\`\`\``
  return [
    ...messages,
    { role: 'assistant', content: invalidReply },
    { role: 'user', content: `Your previous reply could not be used: ${problem}\nReply again with only one JSON object that conforms to ${schema}` },
  ]
}

export function parseObjectReply<T>(reply: CompletionReply, schema: z.ZodType<T>): ObjectOutcome<T> {
  if (reply.refusal) return { kind: 'refused' }
  const truncated = reply.finishReason === 'length' ? ' The reply was cut off by the token limit; keep it shorter.' : ''
  let value: unknown
  try {
    value = JSON.parse(stripCodeFence(reply.content ?? ''))
  } catch {
    return { kind: 'not_json', problem: `it is not valid JSON.${truncated}`, cause: new Error('model reply is not valid JSON') }
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return { kind: 'valid', object: parsed.data }
  return { kind: 'schema_violation', problem: `it does not match the schema:\n${z.prettifyError(parsed.error)}${truncated}`, cause: parsed.error }
}

function plainJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>
  return jsonSchema
}

function stripCodeFence(text: string): string {
  // Small local models often wrap JSON in a markdown fence even in JSON mode.
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text)
  return fenced ? fenced[1]! : text
}
