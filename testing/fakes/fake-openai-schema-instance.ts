// Builds a small valid instance of a JSON schema (the subset zod and structured outputs produce), so the fake
// model can answer any structured request without scripting. Not a validator; `pattern` and `multipleOf` are ignored.

type JsonSchema = Record<string, unknown>

/**
 * - object: every required property (all properties under strict mode); others left out
 * - array: `minItems` items, or one item when there is no minimum (so pipelines have something to work on)
 * - enum / const: the first value; anyOf / oneOf: the first branch that is not `null`
 * - string: "fake" (or a value of the `format`), padded or cut to minLength / maxLength
 * - number / integer: the middle of a narrow [minimum, maximum] range (confidence 0..1 → 0.5), else 0 clamped into it
 */
export function schemaInstance(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (!isSchema(schema) || depth > 32) return null
  if (typeof schema.$ref === 'string') return schemaInstance(resolveReference(schema.$ref, root), root, depth + 1)
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as unknown[] | undefined
  if (Array.isArray(branches)) {
    const branch = branches.find((candidate) => !(isSchema(candidate) && candidate.type === 'null')) ?? branches[0]
    return schemaInstance(branch, root, depth + 1)
  }
  switch (pickType(schema)) {
    case 'object':
      return objectInstance(schema, root, depth)
    case 'array':
      return arrayInstance(schema, root, depth)
    case 'string':
      return stringInstance(schema)
    case 'integer':
      return numberInstance(schema, true)
    case 'number':
      return numberInstance(schema, false)
    case 'boolean':
      return false
    default:
      return null
  }
}

function objectInstance(schema: JsonSchema, root: unknown, depth: number): Record<string, unknown> {
  const properties = (isSchema(schema.properties) ? schema.properties : {}) as Record<string, unknown>
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : []
  const instance: Record<string, unknown> = {}
  for (const key of required) instance[key] = schemaInstance(properties[key], root, depth + 1)
  return instance
}

function arrayInstance(schema: JsonSchema, root: unknown, depth: number): unknown[] {
  const minimum = typeof schema.minItems === 'number' ? schema.minItems : 1
  const count = Math.min(minimum, typeof schema.maxItems === 'number' ? schema.maxItems : minimum)
  const items = Array.isArray(schema.items) ? schema.items : Array.isArray(schema.prefixItems) ? schema.prefixItems : undefined
  return Array.from({ length: count }, (_, index) => schemaInstance(items ? items[index] : schema.items, root, depth + 1))
}

const stringFormats: Record<string, string> = {
  'date-time': '2024-01-01T00:00:00.000Z',
  date: '2024-01-01',
  time: '00:00:00',
  email: 'fake@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
}

function stringInstance(schema: JsonSchema): string {
  let value = (typeof schema.format === 'string' ? stringFormats[schema.format] : undefined) ?? 'fake'
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x')
  if (typeof schema.maxLength === 'number') value = value.slice(0, schema.maxLength)
  return value
}

function numberInstance(schema: JsonSchema, integer: boolean): number {
  const step = integer ? 1 : 0.001
  const low = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + step : -Infinity
  const high = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - step : Infinity
  const value = high - low <= 100 ? (low + high) / 2 : Math.min(Math.max(0, low), high)
  if (!integer) return value
  return Math.ceil(value) <= high ? Math.ceil(value) : Math.floor(value)
}

function pickType(schema: JsonSchema): unknown {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null') ?? 'null'
  if (schema.type !== undefined) return schema.type
  if (isSchema(schema.properties)) return 'object'
  if (schema.items !== undefined) return 'array'
  return undefined
}

function resolveReference(reference: string, root: unknown): unknown {
  if (!reference.startsWith('#')) return undefined
  const segments = reference.slice(1).split('/').filter(Boolean)
  return segments.reduce<unknown>(
    (node, segment) => (isSchema(node) ? node[decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
    root,
  )
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
