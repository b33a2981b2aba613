// What a member wrote in one Slack message, in Slack's own markup: rich-text blocks rendered as Slack shows them
// (the `text` field is only their fallback) and the comment of a file share or file comment. Shared by live events
// and export imports so both learn the same text; it decides nothing about whether the message is learned from.

/** A message as Slack delivers it in events, history and exports; every field is optional on the wire. */
export type SlackMessagePayload = {
  user?: unknown
  subtype?: unknown
  text?: unknown
  blocks?: unknown
  file?: unknown
  comment?: unknown
}

/** Subtypes that carry text a member wrote; joins, topic changes and the like are not their writing. */
export const writtenSubtypes: ReadonlySet<string | undefined> = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message', 'file_comment'])

type Fields = Record<string, unknown>
const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value)
const asString = (value: unknown) => (typeof value === 'string' ? value : undefined)

/** Who wrote it: the commenter of an (older) file comment, else the message's user. */
export function slackMessageAuthor(message: SlackMessagePayload): string | undefined {
  if (message.subtype === 'file_comment' && isRecord(message.comment)) return asString(message.comment.user)
  return asString(message.user)
}

/** The member's own words in Slack markup (mentions as `<@U…>`, links as `<url|label>`, `&amp;` escapes). */
export function slackMessageText(message: SlackMessagePayload): string {
  if (message.subtype === 'file_comment') return isRecord(message.comment) ? (asString(message.comment.comment) ?? '') : ''
  // Older exports put a share's comment on the file (already in Slack markup) and wrap it in "<@U…> uploaded a
  // file: … and commented: …".
  const initialComment = isRecord(message.file) && isRecord(message.file.initial_comment) ? asString(message.file.initial_comment.comment) : undefined
  if (initialComment !== undefined) return initialComment
  const text = asString(message.text) ?? ''
  const uploaded = /^<@[^>]+> uploaded a file: <[^>]*>(?: and commented: ([\s\S]*))?$/.exec(text)
  if (message.subtype === 'file_share' && uploaded) return uploaded[1] ?? ''
  const rendered = renderRichText(message.blocks)
  return rendered.trim() ? rendered : text
}

/** Rich-text blocks as Slack text; empty when there are none (other blocks are an app's layout, not typing). */
export function renderRichText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return ''
  const parts: string[] = []
  for (const block of blocks) {
    if (!isRecord(block) || block.type !== 'rich_text' || !Array.isArray(block.elements)) continue
    for (const element of block.elements) appendLine(parts, renderRichTextObject(element))
  }
  return parts.join('')
}

/** Sections run on; lists, quotes and code start on a new line, as Slack lays them out. */
function appendLine(parts: string[], text: string) {
  if (!text) return
  const previous = parts.at(-1)
  if (previous !== undefined && !previous.endsWith('\n') && !text.startsWith('\n')) parts.push('\n')
  parts.push(text)
}

function renderRichTextObject(value: unknown): string {
  if (!isRecord(value) || !Array.isArray(value.elements)) return ''
  const inline = (elements: unknown[]) => elements.map(renderInline).join('')
  switch (value.type) {
    case 'rich_text_section':
      return inline(value.elements)
    case 'rich_text_list': {
      const indent = '    '.repeat(typeof value.indent === 'number' && value.indent > 0 ? Math.min(8, Math.floor(value.indent)) : 0)
      return value.elements
        .map((item, index) => `${indent}${value.style === 'ordered' ? `${index + 1}.` : '•'} ${isRecord(item) && Array.isArray(item.elements) ? inline(item.elements) : ''}`)
        .join('\n')
    }
    case 'rich_text_quote':
      return inline(value.elements)
        .split('\n')
        .map((line) => `&gt; ${line}`)
        .join('\n')
    case 'rich_text_preformatted':
      return '```' + inline(value.elements) + '```'
    default:
      return ''
  }
}

function renderInline(value: unknown): string {
  if (!isRecord(value)) return ''
  const style = isRecord(value.style) ? value.style : {}
  switch (value.type) {
    case 'text':
      return styled(escapeText(asString(value.text) ?? ''), style)
    case 'link': {
      const url = asString(value.url) ?? ''
      const label = asString(value.text)
      return styled(label ? `<${url}|${escapeText(label)}>` : `<${url}>`, style)
    }
    case 'user':
      return `<@${asString(value.user_id) ?? ''}>`
    case 'usergroup':
      return `<!subteam^${asString(value.usergroup_id) ?? ''}>`
    case 'channel':
      return `<#${asString(value.channel_id) ?? ''}>`
    case 'broadcast':
      return `<!${asString(value.range) ?? 'here'}>`
    case 'team':
      return '@team'
    case 'emoji':
      return `:${asString(value.name) ?? ''}:`
    case 'date': {
      const fallback = asString(value.fallback)
      return `<!date^${String(value.timestamp ?? 0)}^${asString(value.format) ?? '{date}'}${fallback ? `|${fallback}` : ''}>`
    }
    case 'color':
      return asString(value.value) ?? ''
    default:
      return ''
  }
}

function styled(text: string, style: Fields): string {
  if (!text.trim()) return text
  let result = style.code ? '`' + text + '`' : text
  if (style.bold) result = `*${result}*`
  if (style.italic) result = `_${result}_`
  if (style.strike) result = `~${result}~`
  return result
}

/** Slack escapes exactly these three in message text; the normaliser unescapes them. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
