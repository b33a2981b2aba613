// Splits a byte stream into lines without ever holding more than `maxBytes` of one line: a longer line is counted
// and skipped as it streams past. readline would buffer a 50 MB line whole before anyone could look at its length.

export type BoundedLine = { text: string } | { oversizedBytes: number }

export async function* boundedLines(chunks: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<BoundedLine> {
  let parts: Buffer[] = []
  let length = 0
  let oversized = false
  const take = (segment: Buffer) => {
    if (!oversized && length + segment.length <= maxBytes) parts.push(segment)
    else {
      oversized = true
      parts = []
    }
    length += segment.length
  }
  const finish = (): BoundedLine => {
    const line: BoundedLine = oversized ? { oversizedBytes: length } : { text: Buffer.concat(parts).toString('utf8').replace(/\r$/, '') }
    parts = []
    length = 0
    oversized = false
    return line
  }
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    let start = 0
    for (let newline = buffer.indexOf(0x0a, start); newline !== -1; newline = buffer.indexOf(0x0a, start)) {
      take(buffer.subarray(start, newline))
      yield finish()
      start = newline + 1
    }
    if (start < buffer.length) take(buffer.subarray(start))
  }
  if (length > 0) yield finish()
}
