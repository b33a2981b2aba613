// Turns untrusted text (member messages, thread context, intents) into quoted data for prompts: each item a JSON
// string with `<` escaped, so no message can close a data tag or pose as an instruction block.

export function quoteText(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
}

/** One item per line: `label: "json string"`. */
export function quoteLines(items: { label: string; text: string }[]): string {
  if (items.length === 0) return '(none)'
  return items.map((item) => `${item.label}: ${quoteText(item.text)}`).join('\n')
}
