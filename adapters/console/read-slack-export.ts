// Reads a Slack export (users.json, channels.json, groups.json, dms.json, mpims.json, a folder per conversation, a
// JSON array per day) into plain observed messages whose text is Slack text. A file it cannot use is named in one
// line and the rest is read; direct messages are never read at all. Translation only: the core decides storing.
import { z } from 'zod'
import { BotError } from '../../src/bot-error.js'
import type { ChannelKind, ObservedMessage, WorkspaceRef } from '../../src/core/types.js'
import { slackMessageAuthor, slackMessageText, writtenSubtypes } from '../slack/slack-message-text.js'
import { countSkip, emptyConversationFile, importLimits, type ConversationFile, type ImportedMember } from './conversation-file.js'
import type { ExportSource } from './export-source.js'

const conversationSchema = z.object({ id: z.string().min(1), name: z.string().min(1) })
const directConversationSchema = z.object({ id: z.string().min(1) })
const nameFields = { display_name: z.string().optional(), real_name: z.string().optional() }
const userSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  profile: z.object(nameFields).optional(),
})
const messageSchema = z.object({
  subtype: z.string().optional(),
  bot_id: z.string().nullish(),
  ts: z.string().regex(/^\d+(\.\d+)?$/),
  thread_ts: z.string().optional(),
  upload: z.boolean().optional(),
  files: z.array(z.unknown()).optional(),
  user_profile: z.object({ ...nameFields, name: z.string().optional() }).optional(),
})

/** Slack's own account: reminders and notices, never a member's writing (users.json does not mark it a bot). */
const slackbotId = 'USLACKBOT'

type Conversation = { id: string; name: string; folder: string; kind: ChannelKind; listedIn: string }

export async function readSlackExport(source: ExportSource, workspace: WorkspaceRef): Promise<ConversationFile> {
  if (!source.files.includes('channels.json') && !source.files.includes('groups.json')) {
    throw new BotError('input_invalid', `${source.name} is not a Slack export: it has no channels.json.`)
  }
  const file = emptyConversationFile(`the Slack export ${source.name}`)
  const messages: ObservedMessage[] = []
  const readJson = async (path: string, what: string): Promise<unknown> => {
    const read = await source.read(path, importLimits.jsonFileBytes)
    if ('problem' in read) {
      file.problems.push(`${path} ${read.problem}; ${what}.`)
      return undefined
    }
    try {
      return JSON.parse(read.data.toString('utf8'))
    } catch (error) {
      file.problems.push(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); ${what}.`)
      return undefined
    }
  }
  /** Entries of a list file that fit `schema`; a wrong shape or a bad entry is named, the rest kept. */
  const readList = async <T,>(path: string, schema: z.ZodType<T>, shape: string, noun: string, unusable: string): Promise<T[]> => {
    if (!source.files.includes(path)) return []
    const value = await readJson(path, unusable)
    if (value === undefined) return []
    if (!Array.isArray(value)) {
      file.problems.push(`${path} is not a list of ${noun} (${shape}); ${unusable}.`)
      return []
    }
    return value.flatMap((entry, index) => {
      const parsed = schema.safeParse(entry)
      if (parsed.success) return [parsed.data]
      file.problems.push(`${path}: entry ${index + 1} is not ${noun === 'users' ? 'a user' : 'a channel'} (${shape.replace(/^\[(.*), …\]$/, '$1')}); skipped.`)
      return []
    })
  }

  const users = new Map((await readList('users.json', userSchema, '[{ "id", "name" }, …]', 'users', 'members are listed by id')).map((user) => [user.id, user]))
  const shape = '[{ "id", "name" }, …]'
  const conversations: Conversation[] = [
    ...(await readList('channels.json', conversationSchema, shape, 'channels', 'its channels are not imported')).map((each) => ({ ...each, folder: each.name, kind: 'public' as const, listedIn: 'channels.json' })),
    ...(await readList('groups.json', conversationSchema, shape, 'channels', 'its private channels are not imported')).map((each) => ({ ...each, folder: each.name, kind: 'private' as const, listedIn: 'groups.json' })),
  ]
  // Direct messages (dms.json by id, mpims.json by name) are never learning material: their days are not even read.
  const direct = new Set<string>([
    ...(await readList('dms.json', directConversationSchema, '[{ "id" }, …]', 'channels', 'its conversations are skipped')).map((each) => each.id),
    ...(await readList('mpims.json', conversationSchema, shape, 'channels', 'its conversations are skipped')).map((each) => each.name),
  ])
  // Day files by folder, listed once: an export may have thousands of channels and hundreds of thousands of days.
  const daysByFolder = new Map<string, string[]>()
  for (const path of source.files) {
    const [folder, day] = path.split('/')
    if (day === undefined || !day.endsWith('.json')) continue
    const days = daysByFolder.get(folder!) ?? []
    days.push(path)
    daysByFolder.set(folder!, days)
  }
  const folders = new Set(daysByFolder.keys())
  file.directConversations = [...direct].filter((folder) => folders.has(folder)).length
  const listed = new Set(conversations.map((each) => each.folder))
  const unlisted = [...folders].filter((folder) => !listed.has(folder) && !direct.has(folder)).sort()
  if (unlisted.length) {
    file.problems.push(`${unlisted.length === 1 ? 'Folder' : 'Folders'} ${unlisted.join(', ')} ${unlisted.length === 1 ? 'is' : 'are'} not listed in channels.json or groups.json, so not imported (a channel's kind is not guessed).`)
  }

  const member = (userId: string): ImportedMember => {
    let found = file.members.get(userId)
    if (!found) {
      const user = users.get(userId)
      found = { userId, messages: 0 }
      if (user) {
        found.displayName = user.profile?.display_name || undefined
        found.realName = user.profile?.real_name || user.real_name || undefined
        found.username = user.name || undefined
        found.deactivated = user.deleted === true || undefined
      }
      file.members.set(userId, found)
    }
    return found
  }

  for (const conversation of conversations) {
    const days = daysByFolder.get(conversation.folder) ?? []
    if (!days.length) continue
    let count = 0
    for (const day of days) {
      const value = await readJson(day, 'skipped')
      if (value === undefined) continue
      if (!Array.isArray(value)) {
        file.problems.push(`${day} is not a list of messages (a JSON array); skipped.`)
        continue
      }
      for (const raw of value) {
        const exported = exportedMessage(raw, conversation, workspace, file, users)
        if (!exported) continue
        const { message, profile } = exported
        const author = member(message.userId!)
        author.messages += 1
        // The export's own copy of the author's names, for members users.json does not list.
        if (profile && !users.has(author.userId)) {
          author.displayName ??= profile.display_name || undefined
          author.realName ??= profile.real_name || undefined
          author.username ??= profile.name || undefined
        }
        messages.push(message)
        count += 1
      }
    }
    file.channels.push({ id: conversation.id, name: conversation.name, kind: conversation.kind, messages: count })
  }
  messages.sort((a, b) => a.timestamp - b.timestamp)
  file.messageCount = messages.length
  file.messages = () => messages
  return file
}

type ExportedMessage = { message: ObservedMessage; profile?: z.output<typeof messageSchema>['user_profile'] }

/** One entry of a day file as a member's message, or undefined (counted by kind) when it is anything else. */
function exportedMessage(raw: unknown, conversation: Conversation, workspace: WorkspaceRef, file: ConversationFile, users: Map<string, z.output<typeof userSchema>>): ExportedMessage | undefined {
  const parsed = messageSchema.safeParse(raw)
  if (!parsed.success || typeof raw !== 'object' || raw === null) {
    countSkip(file, 'not_a_message')
    return undefined
  }
  const value = parsed.data
  const payload = raw as Record<string, unknown>
  const author = slackMessageAuthor(payload)
  if (value.subtype === 'tombstone') return void countSkip(file, 'tombstone')
  if (value.subtype === 'bot_message' || value.bot_id || author === slackbotId || (author && users.get(author)?.is_bot)) return void countSkip(file, 'bot')
  if (!writtenSubtypes.has(value.subtype)) return void countSkip(file, 'system')
  if (!author) return void countSkip(file, 'not_a_message')
  const text = slackMessageText(payload)
  if (text.length > importLimits.messageCharacters) return void countSkip(file, 'oversized_message')
  const sharesFile = value.subtype === 'file_share' || value.upload === true || (value.files?.length ?? 0) > 0
  if (sharesFile && !text.trim()) return void countSkip(file, 'file_without_comment')
  const message: ObservedMessage = {
    kind: 'created',
    workspace,
    userId: author,
    channelId: conversation.id,
    channelKind: conversation.kind,
    messageId: value.ts,
    text,
    // Slack text, whatever platform the import runs on: the core normalises it as Slack's markup.
    markup: 'slack',
    timestamp: Math.round(Number(value.ts) * 1000),
    ...(value.thread_ts && value.thread_ts !== value.ts ? { threadId: value.thread_ts } : {}),
  }
  return { message, profile: value.user_profile }
}
