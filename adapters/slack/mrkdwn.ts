// Text helpers for Block Kit: escape Slack's control characters and split long text to fit block limits.
// Escaping matters for safety: model output must never become a @channel ping or a fake mention.

/** Escape `&`, `<`, `>` so Slack renders text literally (no mentions, links or broadcasts). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Cut text to `limit` characters with an ellipsis. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - 1))}…`
}

/** Split text into pieces of at most `size` characters, preferring line and word boundaries. */
export function chunkText(text: string, size: number): string[] {
  const pieces: string[] = []
  let rest = text
  while (rest.length > size) {
    let cut = rest.lastIndexOf('\n', size)
    if (cut < size / 2) cut = rest.lastIndexOf(' ', size)
    if (cut < size / 2) cut = size
    pieces.push(rest.slice(0, cut))
    rest = rest.slice(cut).replace(/^[\n ]/, '')
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest)
  return pieces
}

/** Quote text as a Slack block quote, line by line. */
export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n')
}
