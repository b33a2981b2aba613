// Which channels a member's backfill may read: the rule the observe path applies to each message (listed channels,
// every public one under `*`, never a direct message), asked once up front so an adapter reads no history for nothing.
import type { ConsentService } from '../records/consent-service.js'
import type { PolicyService } from '../records/policy-service.js'
import type { Actor, BackfillChannel } from '../types.js'

export function createBackfillChannels(dependencies: { policies: PolicyService; consent: ConsentService }) {
  const { policies, consent } = dependencies
  return async (actor: Actor, channels: BackfillChannel[]): Promise<string[]> => {
    const member = actor.member
    const policy = await policies.get(member)
    if (!policy.enabled || !(await consent.isOptedIn(member))) return []
    return channels.filter((channel) => policies.learnsFrom(policy, channel.channelId, channel.channelKind)).map((channel) => channel.channelId)
  }
}
