// A small RFC 4180 CSV reader (quoted fields, doubled quotes, commas and newlines inside quotes) for the safety
// sets, which ship as CSV. Returns one record per row keyed by the header; it never guesses types.

export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"'
          index++
        } else quoted = false
      } else field += character
    } else if (character === '"' && field === '') quoted = true
    else if (character === ',') {
      row.push(field)
      field = ''
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += character
  }
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  const [header, ...body] = rows.filter((each) => each.some((value) => value !== ''))
  if (!header) return []
  return body.map((values) => Object.fromEntries(header.map((name, index) => [name.replace(/^\uFEFF/, '').trim(), values[index] ?? ''])))
}
