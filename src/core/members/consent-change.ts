// Opting in and out: a member for themselves, or an admin for a member under the admin consent mode (the member is
// then told privately). Opting out erases everything in the same step; nothing, not even a tombstone, remains.
import { BotError } from '../../bot-error.js'
import type { KeyedLock } from '../coordination/keyed-lock.js'
import { memberKey } from '../identity/keys.js'
import { sameMember } from '../identity/member-ref.js'
import { consentStatement, type ConsentService } from '../records/consent-service.js'
import type { PolicyService } from '../records/policy-service.js'
import type { Actor, ConsentOutcome, ForgetReport, MemberRef } from '../types.js'
import type { MemberAccess } from './member-access.js'

export type ConsentChange = (actor: Actor, member: MemberRef, optedIn: boolean) => Promise<ConsentOutcome>

export function createConsentChange(dependencies: {
  policies: PolicyService
  consent: ConsentService
  access: MemberAccess
  lock: KeyedLock
  erase: (member: MemberRef) => Promise<ForgetReport>
  clock: () => number
}): ConsentChange {
  const { policies, consent, access, lock, erase, clock } = dependencies
  return async (actor, member, optedIn) => {
    const policy = await policies.get(member)
    const self = sameMember(actor.member, member)
    const admin = await access.administers(actor, member, policy)
    if (!self && !admin) throw new BotError('not_permitted', 'Only the member or a workspace admin can change this member’s opt-in.')
    if (!optedIn) {
      const erased = await lock.run(memberKey(member), () => erase(member))
      return { record: { optedIn: false, at: clock(), by: actor.member, via: self ? 'self' : 'admin', policyVersion: '' }, erased }
    }
    if (!policy.enabled) throw new BotError('bot_disabled', 'hyperalign is switched off in this workspace. A workspace admin can switch it on.')
    if (!self && policy.consentMode !== 'admin') {
      throw new BotError('not_permitted', 'In this workspace members opt in themselves. An admin can switch the consent mode to “admin” if your organisation handles consent.')
    }
    const existing = await consent.get(member)
    if (existing) return { record: existing }
    const record = await consent.grant(member, actor.member, self ? 'self' : 'admin', clock())
    return {
      record,
      notifyMember: self
        ? undefined
        : `A workspace admin opted you in to hyperalign. ${consentStatement} You can opt out at any time with /hyperalign optout, which erases everything.`,
    }
  }
}
