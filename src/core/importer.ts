// Imports a conversation export as an admin act: records the consent it relies on (the members named on import),
// then feeds each message through the normal observe path (which still refuses anyone not named). Reports progress.
import { BotError } from '../bot-error.js'
import type { ConsentService } from './consent-service.js'
import type { PolicyService } from './policy-service.js'
import type { ImportReport, ImportRequest, ObservedMessage, ObserveOutcome } from './types.js'

export function createImporter(dependencies: {
  policies: PolicyService
  consent: ConsentService
  observe: (message: ObservedMessage, options: { skipChannelCheck: boolean }) => Promise<ObserveOutcome>
  clock: () => number
}) {
  const { policies, consent, observe, clock } = dependencies
  return {
    async run(request: ImportRequest): Promise<ImportReport> {
      const workspace = { platform: request.actor.member.platform, workspaceId: request.actor.member.workspaceId }
      await policies.requireAdmin(request.actor, workspace)
      await policies.requireEnabled(workspace)
      const named = new Set(request.consentingUserIds)
      for (const userId of named) {
        const member = { ...workspace, userId }
        if (!(await consent.isOptedIn(member))) await consent.grant(member, request.actor.member, 'import', clock())
      }
      const report: ImportReport = { total: request.messages.length, stored: 0, ignored: 0, members: named.size }
      let done = 0
      for (const message of request.messages) {
        if (message.workspace.platform !== workspace.platform || message.workspace.workspaceId !== workspace.workspaceId) {
          throw new BotError('input_invalid', 'Every imported message must belong to the workspace being imported into.')
        }
        // The admin chose these messages, so the channel allow-list does not apply; consent still does.
        const outcome = await observe(message, { skipChannelCheck: true })
        if (outcome.status === 'stored') report.stored += 1
        else report.ignored += 1
        done += 1
        if (done % 100 === 0 || done === request.messages.length) request.onProgress?.(done, request.messages.length)
      }
      return report
    },
  }
}
