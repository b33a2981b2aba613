// The members the operator has imported, with the names their export gives them (display name, real name,
// username), so `members` can show who is who and `as`/`import` can take a name. In memory only: names of people
// who never opted in are not stored.
import { BotError } from '../../src/bot-error.js'
import type { ImportedMember } from './conversation-file.js'

export type MemberDirectory = ReturnType<typeof createMemberDirectory>

const folded = (name: string) => name.trim().replace(/^@/, '').toLowerCase()

export function createMemberDirectory() {
  const members = new Map<string, ImportedMember>()
  return {
    add(imported: Iterable<ImportedMember>) {
      for (const each of imported) {
        const known = members.get(each.userId)
        members.set(each.userId, known ? { ...each, ...definedOnly(known), messages: known.messages + each.messages } : { ...each })
      }
    },
    get: (userId: string) => members.get(userId),
    all: () => [...members.values()],
    /** What to call a member: their display name, else real name, else username, else the id. */
    label(userId: string): string {
      const member = members.get(userId)
      return member?.displayName || member?.realName || member?.username || userId
    },
    /** "maya · Maya Lin · @maya.lin", with "(deactivated)" for an account Slack marks deleted. */
    describe(userId: string): string {
      const member = members.get(userId)
      if (!member) return ''
      const names = [...new Set([member.displayName, member.realName, member.username && `@${member.username}`].filter(Boolean))].join(' · ')
      return `${names}${member.deactivated ? ' (deactivated)' : ''}`
    },
    /** The one member `name` stands for among `among` (an id, a display name, real name or username), if any. */
    resolve(name: string, among: Iterable<ImportedMember> = members.values()): string | undefined {
      const candidates = [...among]
      if (candidates.some((each) => each.userId === name.trim())) return name.trim()
      const wanted = folded(name)
      const matches = candidates.filter((each) => [each.displayName, each.realName, each.username].some((value) => value && folded(value) === wanted))
      if (matches.length > 1) {
        throw new BotError('input_invalid', `“${name.trim()}” names several members: ${matches.map((each) => `${each.userId} (${this.describe(each.userId)})`).join(', ')}. Use the id.`)
      }
      return matches[0]?.userId
    },
  }
}

/** The fields of an earlier record that carry a value, so a later import without names does not erase them. */
function definedOnly(member: ImportedMember): Partial<ImportedMember> {
  return Object.fromEntries(Object.entries(member).filter(([, value]) => value !== undefined)) as Partial<ImportedMember>
}
