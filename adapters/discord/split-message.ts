// Splits text into pieces that fit Discord's message limit (2,000 characters), preferring paragraph, line, sentence
// and word boundaries and keeping code fences balanced. Pure text handling; never drops or reorders content.

export const discordMessageLimit = 2000

const fence = '```'

export function splitMessage(text: string, limit: number = discordMessageLimit): string[] {
  if (limit < 20) throw new RangeError('limit must be at least 20 characters')
  const pieces: string[] = []
  let rest = text
  let reopenFence = ''
  while (rest.length > 0) {
    const room = limit - reopenFence.length
    if (rest.length <= room) {
      pieces.push(reopenFence + rest)
      break
    }
    let cut = findCut(rest, room)
    let openFence = isInsideFence(reopenFence + rest.slice(0, cut))
    if (openFence !== undefined) {
      // The cut falls inside code: cut again leaving room to close the fence here and reopen it in the next piece.
      cut = findCut(rest, room - (fence.length + 1))
      openFence = isInsideFence(reopenFence + rest.slice(0, cut))
    }
    let piece = rest.slice(0, cut)
    if (openFence !== undefined) piece = `${piece.replace(/\n?$/, '\n')}${fence}`
    pieces.push(reopenFence + piece)
    // Whitespace at a cut is dropped, except inside code where indentation matters.
    rest = openFence !== undefined ? rest.slice(cut).replace(/^\n/, '') : rest.slice(cut).replace(/^\s+/, '')
    reopenFence = openFence !== undefined ? `${fence}${openFence}\n` : ''
  }
  return pieces.filter((piece) => piece.trim().length > 0)
}

/** Index to cut at: the last good boundary within `room`, else a hard cut. */
function findCut(text: string, room: number): number {
  const window = text.slice(0, room + 1)
  for (const boundary of [/\n\s*\n/g, /\n/g, /[.!?…](?=\s)/g, /\s/g]) {
    let best = -1
    for (const match of window.matchAll(boundary)) {
      const end = (match.index ?? 0) + match[0].length
      if (end <= room && end > room / 3) best = end
    }
    if (best > 0) return best
  }
  // No boundary in reach: cut hard, but never between the halves of a surrogate pair.
  const code = text.charCodeAt(room - 1)
  return code >= 0xd800 && code <= 0xdbff ? room - 1 : room
}

/** The language tag of an unclosed ``` fence in `text`, or undefined when all fences are closed. */
function isInsideFence(text: string): string | undefined {
  let open: string | undefined
  for (const match of text.matchAll(/```([\w+-]*)/g)) open = open === undefined ? (match[1] ?? '') : undefined
  return open
}
