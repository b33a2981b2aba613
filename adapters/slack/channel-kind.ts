// Works out whether a Slack conversation is public, private or a direct message, from what the payload says
// and, when that is not enough, conversations.info. Unknown counts as private (the stricter case).
import type { webApi } from '@slack/bolt'
import type { ChannelKind } from '../../src/core/types.js'

/** From an Events API `channel_type`: channel, group, im, mpim. */
export function channelKindFromEventType(channelType: string | undefined): ChannelKind | undefined {
  if (channelType === 'channel') return 'public'
  if (channelType === 'group') return 'private'
  if (channelType === 'im' || channelType === 'mpim') return 'direct'
  return undefined
}

export async function channelKindOf(client: webApi.WebClient, channelId: string, channelName?: string): Promise<ChannelKind> {
  if (channelName === 'directmessage' || channelId.startsWith('D')) return 'direct'
  if (channelName === 'privategroup') return 'private'
  try {
    const result = await client.conversations.info({ channel: channelId })
    return channelKindFromInfo(result.channel)
  } catch {
    return 'private'
  }
}

/** From what conversations.info says about a conversation; nothing known counts as private. */
export function channelKindFromInfo(channel: { is_im?: boolean; is_mpim?: boolean; is_private?: boolean } | undefined): ChannelKind {
  if (!channel) return 'private'
  if (channel.is_im || channel.is_mpim) return 'direct'
  return channel.is_private ? 'private' : 'public'
}
