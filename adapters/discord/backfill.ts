// Learns from a member's recent messages on request: reads the history of the channels the core says the backfill may
// read (rate limits are honoured by the REST client, which waits out each 429), passes only that member's messages,
// translated as live events are, to the core's observe path, which still decides what is stored, and shows progress.
import { RESTEvents, type Guild, type GuildTextBasedChannel, type RateLimitData, type RepliableInteraction } from 'discord.js'
import type { MemberRef, ObservedMessage, ObserveOutcome } from '../../src/core/types.js'
import type { DiscordContext } from './discord-context.js'
import { channelKindOf } from './discord-actor.js'
import { toObservedMessage } from './to-observed.js'

export type BackfillReport = { learned: number; alreadyKnown: number; scanned: number; channels: number; stoppedBecause?: string }

const pageSize = 100
/** How many messages may be read for each one learned, so a quiet member does not cost a whole server's history. */
const scanPerLearned = 10
/** Interaction tokens last 15 minutes; stop early enough to report. */
const deadlineMilliseconds = 12 * 60_000
const progressIntervalMilliseconds = 1500

export async function runBackfill(context: DiscordContext, interaction: RepliableInteraction, guild: Guild, member: MemberRef): Promise<BackfillReport> {
  const budget = context.config.DISCORD_BACKFILL_MAX_MESSAGES
  const scanLimit = budget * scanPerLearned
  const startedAt = Date.now()
  const report: BackfillReport = { learned: 0, alreadyKnown: 0, scanned: 0, channels: 0 }
  let lastProgressAt = 0
  let currentChannelId = ''
  const progress = async (force = false, note = '') => {
    if (!force && Date.now() - lastProgressAt < progressIntervalMilliseconds) return
    lastProgressAt = Date.now()
    await interaction.editReply({ content: progressLine(report, budget, note), embeds: [], components: [] }).catch(() => undefined)
  }
  // The REST client waits out rate limits by itself; this only tells the member why the count stands still.
  const onRateLimited = (info: RateLimitData) => {
    if (info.majorParameter !== currentChannelId || !info.route.startsWith('/channels/:id/messages')) return
    void progress(true, `Discord asked me to slow down; continuing in ${Math.max(1, Math.ceil(info.timeToReset / 1000))} s.`)
  }
  context.client.rest.on(RESTEvents.RateLimited, onRateLimited)

  try {
    await progress(true)
    const actor = { member, isPlatformAdmin: false }
    const profile = await context.core.profile(actor, member)
    if (profile.workspaceEnabled && !profile.optedIn) report.stoppedBecause = stopReason({ status: 'ignored', reason: 'not_opted_in' })
    // Only the channels the core allows: reading the others would cost history calls for nothing.
    const readable = readableChannels(guild)
    const allowed = new Set(await context.core.backfillChannels(actor, readable.map((channel) => ({ channelId: channel.id, channelKind: channelKindOf(channel) }))))
    const channels = readable.filter((channel) => allowed.has(channel.id))
    outer: for (const channel of channels) {
      report.channels += 1
      currentChannelId = channel.id
      let before: string | undefined
      while (true) {
        if (report.learned >= budget) break outer
        if (report.scanned >= scanLimit) {
          report.stoppedBecause = `read ${report.scanned} messages, the most one request may read`
          break outer
        }
        if (Date.now() - startedAt > deadlineMilliseconds) {
          report.stoppedBecause = 'ran out of time; run it again to continue where it stopped'
          break outer
        }
        const page = await channel.messages.fetch({ limit: pageSize, ...(before ? { before } : {}), cache: false })
        if (page.size === 0) break
        let skipChannel = false
        for (const message of page.values()) {
          report.scanned += 1
          if (message.author.id !== member.userId || !message.content) continue
          const observed = toObservedMessage(message, 'created', context.client.user?.id)
          if (!observed) continue
          const outcome = await observe(context, observed)
          const verdict = classify(outcome)
          if (verdict === 'stored') report.learned += 1
          else if (verdict === 'known') report.alreadyKnown += 1
          else if (verdict === 'skip-channel') {
            skipChannel = true
            break
          } else if (verdict === 'stop') {
            report.stoppedBecause = stopReason(outcome)
            break outer
          }
          if (report.learned >= budget) break
        }
        await progress()
        if (skipChannel || page.size < pageSize) break
        before = page.lastKey()
      }
    }
  } finally {
    context.client.rest.off(RESTEvents.RateLimited, onRateLimited)
  }
  await interaction.editReply({ content: finalLine(report, budget), embeds: [], components: [] })
  return report
}

/** Text channels the bot can read history in, in the order the server shows them. */
function readableChannels(guild: Guild): GuildTextBasedChannel[] {
  const me = guild.members.me
  return [...guild.channels.cache.values()]
    .filter((channel): channel is GuildTextBasedChannel => channel.isTextBased() && !channel.isThread() && !channel.isVoiceBased())
    .filter((channel) => !me || (channel.permissionsFor(me)?.has(['ViewChannel', 'ReadMessageHistory']) ?? false))
    .sort((left, right) => ('position' in left ? left.position : 0) - ('position' in right ? right.position : 0))
}

async function observe(context: DiscordContext, message: ObservedMessage): Promise<ObserveOutcome | undefined> {
  try {
    return await context.core.observe(message)
  } catch (error) {
    context.logger.warn('discord_backfill_observe_failed', { messageId: message.messageId, error })
    return undefined
  }
}

/** How the core's answer steers the walk: the core decides what is learnable, the walk only stops early. */
function classify(outcome: ObserveOutcome | undefined): 'stored' | 'known' | 'skip-channel' | 'stop' | 'next' {
  if (!outcome) return 'next'
  if (outcome.status === 'stored') return 'stored'
  if (outcome.status !== 'ignored') return 'known'
  switch (outcome.reason) {
    case 'duplicate':
      return 'known'
    case 'channel_not_enabled':
    case 'direct_message':
      return 'skip-channel'
    case 'not_opted_in':
    case 'bot_disabled':
      return 'stop'
    default:
      return 'next'
  }
}

function stopReason(outcome: ObserveOutcome | undefined): string {
  if (outcome?.status === 'ignored' && outcome.reason === 'not_opted_in') return 'you are not opted in (run `/hyperalign optin` first)'
  if (outcome?.status === 'ignored' && outcome.reason === 'bot_disabled') return 'hyperalign is switched off in this server'
  return 'stopped'
}

function progressLine(report: BackfillReport, budget: number, note: string): string {
  return [`Learning from your recent messages… learned from ${report.learned} of up to ${budget} (read ${report.scanned} messages in ${report.channels} channels).`, note]
    .filter(Boolean)
    .join('\n')
}

function finalLine(report: BackfillReport, budget: number): string {
  const lines = [`Done: learned from ${report.learned} of your messages (up to ${budget}); read ${report.scanned} messages in ${report.channels} channels.`]
  if (report.alreadyKnown > 0) lines.push(`${report.alreadyKnown} were already known.`)
  if (report.stoppedBecause) lines.push(`Stopped early: ${report.stoppedBecause}.`)
  if (report.learned === 0 && !report.stoppedBecause) lines.push('Nothing new: learning only reads channels where your admins turned it on.')
  return lines.join('\n')
}
