// Parses a console command's path argument the way people type paths: quoted ("…" or '…'), with backslash-escaped
// spaces, or bare with spaces as Slack names its export folders (the longest prefix that exists is the path).

export type PathArgument = { path: string; rest: string }

export function splitPathArgument(argument: string, exists: (path: string) => boolean): PathArgument {
  const text = argument.trim()
  const quote = text[0]
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, 1)
    return close === -1 ? { path: text.slice(1), rest: '' } : { path: text.slice(1, close), rest: text.slice(close + 1).trim() }
  }
  let escaped = ''
  let index = 0
  for (; index < text.length && !/\s/.test(text[index]!); index++) {
    if (text[index] === '\\' && index + 1 < text.length && /\s/.test(text[index + 1]!)) index += 1
    escaped += text[index]
  }
  if (escaped !== text.slice(0, index) && exists(escaped)) return { path: escaped, rest: text.slice(index).trim() }
  for (let end = text.length; end > 0; end--) {
    if (end < text.length && !/\s/.test(text[end]!)) continue
    const candidate = text.slice(0, end)
    if (exists(candidate)) return { path: candidate, rest: text.slice(end).trim() }
  }
  const first = text.split(/\s+/)[0] ?? ''
  return { path: escaped || first, rest: text.slice(index).trim() }
}

/** "maya, Tom Baker,priya" -> ["maya", "Tom Baker", "priya"]. */
export function splitNames(list: string): string[] {
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
}
