// Turns a zod schema into the JSON-schema subset node-llama-cpp compiles to a grammar, so a small local model can only
// emit JSON of the right shape. It never loosens validation: the caller still parses the output with the same zod schema.
import { z } from 'zod'
import { BotError } from '../bot-error.js'

/** The JSON-schema subset node-llama-cpp's grammar compiler accepts (its GbnfJsonSchema, kept structural here). */
export type GrammarSchema = { readonly [key: string]: unknown }

type JsonSchema = Record<string, unknown>

const grammarFormats = new Set(['date-time', 'time', 'date'])
/** Keywords that only describe or constrain in ways a grammar cannot; zod still checks them afterwards. */
const ignoredKeywords = new Set([
  '$schema', '$id', 'id', 'title', 'default', 'examples', 'pattern', 'propertyNames', 'contentEncoding',
  'contentMediaType', 'readOnly', 'writeOnly', 'deprecated', 'multipleOf', 'uniqueItems',
])
/** A numeric range becomes this many evenly spaced choices, so a model cannot step outside it. */
const ladderSteps = 10

/** JSON schema for the grammar, converted from the zod schema the output is validated with. */
export function grammarSchemaFor(schema: z.ZodType, schemaName: string): GrammarSchema {
  let jsonSchema: JsonSchema
  try {
    // `input`: the model writes what the schema parses, before any transform.
    jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  } catch (error) {
    throw unsupported(schemaName, 'it cannot be expressed as JSON schema', error)
  }
  return convert(asSchema(jsonSchema, schemaName), schemaName, 0)
}

function convert(schema: JsonSchema, schemaName: string, depth: number): GrammarSchema {
  if (depth > 64) throw unsupported(schemaName, 'it nests deeper than 64 levels')
  const at = (child: unknown) => convert(asSchema(child, schemaName), schemaName, depth + 1)
  for (const keyword of ['allOf', 'not', 'if', 'then', 'else', 'patternProperties', 'dependentSchemas']) {
    if (keyword in schema) throw unsupported(schemaName, `it uses "${keyword}"`)
  }
  const out: Record<string, unknown> = {}
  if (typeof schema.description === 'string') out.description = schema.description
  if (schema.$defs && typeof schema.$defs === 'object') {
    out.$defs = Object.fromEntries(Object.entries(schema.$defs as JsonSchema).map(([name, child]) => [name, at(child)]))
  }
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith('#/$defs/')) throw unsupported(schemaName, `it refers to "${schema.$ref}"`)
    return { ...out, $ref: schema.$ref }
  }
  if ('const' in schema) return { ...out, const: schema.const }
  if (Array.isArray(schema.enum)) return { ...out, enum: schema.enum }
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown
  if (Array.isArray(alternatives)) return { ...out, oneOf: alternatives.map(at) }

  const type = schema.type
  if (type === undefined) {
    // `{}` is "any JSON value" (what zod emits for things it cannot describe); spell that out for the grammar.
    return { ...out, oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }, { type: 'object', additionalProperties: true }] }
  }
  if (Array.isArray(type)) {
    if (type.length === 1) return convert({ ...schema, type: type[0] }, schemaName, depth)
    // Per-type keywords (lengths, ranges) only survive when each type is its own alternative.
    return { ...out, oneOf: type.map((each) => convert({ ...schema, type: each, description: undefined }, schemaName, depth + 1)) }
  }
  switch (type) {
    case 'object':
      return convertObject(schema, out, at)
    case 'array':
      return convertArray(schema, out, at)
    case 'string':
      return convertString(schema, out)
    case 'number':
    case 'integer':
      return convertNumber(schema, out, type as 'number' | 'integer')
    case 'boolean':
    case 'null':
      return { ...out, type }
    default:
      throw unsupported(schemaName, `it uses the type "${String(type)}"`)
  }
}

function convertObject(schema: JsonSchema, out: Record<string, unknown>, at: (child: unknown) => GrammarSchema): GrammarSchema {
  const properties = (schema.properties ?? {}) as JsonSchema
  const additional = schema.additionalProperties
  return {
    ...out,
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, at(child)])),
    // An object without a say on extra keys gets none: extra keys only cost tokens and fail strict schemas.
    ...(additional === true ? { additionalProperties: true } : {}),
    ...(additional && typeof additional === 'object' ? { additionalProperties: at(additional) } : {}),
    ...(Array.isArray(schema.required) ? { required: schema.required } : {}),
    ...pickNumbers(schema, ['minProperties', 'maxProperties']),
  }
}

function convertArray(schema: JsonSchema, out: Record<string, unknown>, at: (child: unknown) => GrammarSchema): GrammarSchema {
  const items = schema.items
  return {
    ...out,
    type: 'array',
    ...(items && typeof items === 'object' ? { items: at(items) } : {}),
    ...(Array.isArray(schema.prefixItems) ? { prefixItems: schema.prefixItems.map(at) } : {}),
    ...pickNumbers(schema, ['minItems', 'maxItems']),
  }
}

function convertString(schema: JsonSchema, out: Record<string, unknown>): GrammarSchema {
  if (typeof schema.format === 'string' && grammarFormats.has(schema.format)) return { ...out, type: 'string', format: schema.format }
  return { ...out, type: 'string', ...pickNumbers(schema, ['minLength', 'maxLength']) }
}

/**
 * A grammar cannot bound a number, so a closed range becomes a ladder of choices that all pass validation
 * (a confidence in [0, 1] becomes 0, 0.1, ... 1). Open or one-sided ranges stay free; zod checks them.
 */
function convertNumber(schema: JsonSchema, out: Record<string, unknown>, type: 'number' | 'integer'): GrammarSchema {
  const minimum = schema.minimum
  const maximum = schema.maximum
  if (typeof minimum !== 'number' || typeof maximum !== 'number' || maximum < minimum) return { ...out, type }
  if (type === 'integer') {
    const low = Math.ceil(minimum)
    const high = Math.floor(maximum)
    if (high - low > 100 || high < low) return { ...out, type }
    return { ...out, enum: Array.from({ length: high - low + 1 }, (_, index) => low + index) }
  }
  const step = (maximum - minimum) / ladderSteps
  const values = new Set<number>()
  for (let index = 0; index <= ladderSteps; index++) {
    const value = Number((minimum + step * index).toPrecision(6))
    if (value >= minimum && value <= maximum) values.add(value)
  }
  return { ...out, enum: [...values] }
}

function pickNumbers(schema: JsonSchema, keys: string[]): Record<string, number> {
  const picked: Record<string, number> = {}
  for (const key of keys) if (typeof schema[key] === 'number') picked[key] = schema[key] as number
  return picked
}

function asSchema(value: unknown, schemaName: string): JsonSchema {
  if (value === true) return {}
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw unsupported(schemaName, 'it contains a schema that is not an object')
  return Object.fromEntries(Object.entries(value as JsonSchema).filter(([key]) => !ignoredKeywords.has(key)))
}

function unsupported(schemaName: string, why: string, cause?: unknown): BotError {
  return new BotError('llm_failed', `The output schema "${schemaName}" cannot be used with the local model: ${why}.`, {
    cause,
    isRetryable: false,
  })
}
