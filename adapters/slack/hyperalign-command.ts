// `/hyperalign help | optin | optout | profile | forget | learn | connect | disconnect | admin …`: translates each subcommand into one
// core call and replies privately. Admin rights are the core's decision; this file only passes the Slack facts.
import type { App } from '@slack/bolt'
import type { Actor } from '../../src/core/types.js'
import { adminReply, parseAdminCommand, runAdminAction } from './admin-command.js'
import { commands } from './action-ids.js'
import { connectReply, forgetConfirmation, optedInReply, optedOutReply } from './blocks/consent-blocks.js'
import { errorReply, noticeReply, optInPrompt, type SlackReply } from './blocks/error-blocks.js'
import { helpReply } from './blocks/help-blocks.js'
import { profileBlocks } from './blocks/profile-blocks.js'
import { notifyMember } from './member-notice.js'
import { readWorkspacePolicy } from './read-workspace-policy.js'
import { slackMember, slackWorkspace } from './slack-actors.js'
import type { SlackHandlerDeps } from './slack-handler-deps.js'
import { revokeBeforeErase } from './user-posting.js'

export function registerHyperalignCommand(app: App, deps: SlackHandlerDeps): void {
  app.command(commands.hyperalign, async ({ command, ack, respond }) => {
    const words = command.text.trim().split(/\s+/).filter(Boolean)
    const sub = (words[0] ?? 'help').toLowerCase()
    if (sub === 'help' || !Object.hasOwn(subcommands, sub)) {
      await ack({ response_type: 'ephemeral', ...helpReply() })
      return
    }
    await ack()
    const reply = (message: SlackReply) => respond({ response_type: 'ephemeral', ...message })
    try {
      const actor = await deps.actors.resolve(command.team_id, command.user_id)
      await subcommands[sub as keyof typeof subcommands](deps, { actor, teamId: command.team_id, words: words.slice(1), reply })
    } catch (error) {
      deps.logger.warn('slack_hyperalign_command_failed', { error, subcommand: sub })
      await reply(errorReply(error))
    }
  })
}

type SubcommandInput = { actor: Actor; teamId: string; words: string[]; reply: (message: SlackReply) => Promise<unknown> }

const subcommands = {
  async optin(deps: SlackHandlerDeps, { actor, reply }: SubcommandInput) {
    await deps.core.setConsent(actor, actor.member, true)
    const [profile, policy] = await Promise.all([deps.core.profile(actor, actor.member), readWorkspacePolicy(deps.core, actor)])
    await reply(optedInReply(profile, policy))
    void deps.home.publish(actor.member.workspaceId, actor.member.userId).catch(() => undefined)
  },
  async optout(deps: SlackHandlerDeps, { actor, reply }: SubcommandInput) {
    await revokeBeforeErase(deps, actor, actor.member)
    const outcome = await deps.core.setConsent(actor, actor.member, false)
    await reply(optedOutReply(outcome.erased))
    void deps.home.publish(actor.member.workspaceId, actor.member.userId).catch(() => undefined)
  },
  async profile(deps: SlackHandlerDeps, { actor, reply }: SubcommandInput) {
    const profile = await deps.core.profile(actor, actor.member)
    await reply({ text: profile.optedIn ? 'What I have learned about you' : 'You are not opted in.', blocks: profileBlocks(profile) })
  },
  async forget(_deps: SlackHandlerDeps, { reply }: SubcommandInput) {
    await reply(forgetConfirmation())
  },
  async connect(deps: SlackHandlerDeps, { actor, teamId, reply }: SubcommandInput) {
    if (!deps.userPosting) {
      await reply(noticeReply('Posting as yourself is not set up for this app, so drafts you approve are posted by the hyperalign app with "drafted by" you. Whoever runs the app can enable it (see the Slack README, "Posting as the member").', ':information_source:'))
      return
    }
    const profile = await deps.core.profile(actor, actor.member)
    if (!profile.optedIn) {
      await reply(optInPrompt('Opt in first; then you can let hyperalign post your drafts as you.'))
      return
    }
    await reply(connectReply(deps.userPosting.authorizeUrl(teamId, actor.member.userId), Boolean(profile.credential)))
  },
  async disconnect(deps: SlackHandlerDeps, { actor, reply }: SubcommandInput) {
    const removed = deps.userPosting ? await deps.userPosting.revoke(actor, actor.member) : false
    await reply(noticeReply(removed ? 'Done: hyperalign no longer posts as you, and Slack has taken the permission back. Drafts you approve are posted by the app with "drafted by" you.' : 'hyperalign does not post as you; drafts you approve are posted by the app with "drafted by" you.', ':information_source:'))
    void deps.home.publish(actor.member.workspaceId, actor.member.userId).catch(() => undefined)
  },
  async learn(deps: SlackHandlerDeps, { actor, teamId, reply }: SubcommandInput) {
    deps.backfill.start(teamId, actor.member.userId)
    await reply(noticeReply('Learning from your recent messages. Progress appears in your conversation with the hyperalign app.', ':books:'))
  },
  async admin(deps: SlackHandlerDeps, { actor, teamId, words, reply }: SubcommandInput) {
    const parsed = parseAdminCommand(words)
    if ('error' in parsed) {
      await reply(noticeReply(parsed.error, ':information_source:'))
      return
    }
    const results = []
    for (const action of parsed.actions) {
      if (action.action === 'set_member_consent' && !action.optedIn) await revokeBeforeErase(deps, actor, slackMember(teamId, action.userId))
      const result = await runAdminAction(deps.core.admin, actor, slackWorkspace(teamId), action)
      if (result.action === 'member_consent' && result.outcome.notifyMember && action.action === 'set_member_consent') {
        await notifyMember(deps.client, deps.logger, action.userId, result.outcome.notifyMember)
      }
      results.push(result)
    }
    await reply(adminReply(results))
  },
}
