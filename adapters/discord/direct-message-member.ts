// Decides which server's member a direct message comes from, since a DM has no server: the configured server, else
// the servers the bot shares with the user, preferring one where they opted in. Reads only; never stores anything.
import type { MemberRef } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { actorFor, memberOf } from './discord-actor.js'

/** Upper bound on member lookups per DM, so a bot in many servers does not spend its rate limit on one message. */
const maximumServersChecked = 25

export async function directMessageMember(context: DiscordContext, userId: string): Promise<MemberRef | undefined> {
  const guildIds = context.config.DISCORD_GUILD_ID ? [context.config.DISCORD_GUILD_ID] : [...context.client.guilds.cache.keys()].sort()
  const shared: string[] = []
  for (const guildId of guildIds.slice(0, maximumServersChecked)) {
    const guild = context.client.guilds.cache.get(guildId)
    if (!guild) continue
    try {
      await guild.members.fetch(userId)
      shared.push(guildId)
    } catch {
      // Not a member of this server (Unknown Member): skip it.
    }
  }
  if (shared.length <= 1) return shared[0] ? memberOf(shared[0], userId) : undefined
  for (const guildId of shared) {
    const member = memberOf(guildId, userId)
    const profile = await context.core.profile(actorFor(member), member)
    if (profile.optedIn) return member
  }
  return memberOf(shared[0]!, userId)
}

export const noSharedServerMessage = 'I answer members of the servers I am in, and I could not find you in one. Use /ask inside your server instead.'
