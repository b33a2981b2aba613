// Wraps the language model so every call is checked against the workspace's daily budget first and its token usage
// recorded after. The core only ever talks to a metered model.
import type { LanguageModel } from '../llm/language-model.js'
import type { MemberRef, WorkspaceRef } from './types.js'
import type { UsageLedger } from './usage-ledger.js'

export function createMeteredModel(model: LanguageModel, ledger: UsageLedger): LanguageModel {
  const parse = (workspaceKey: string, memberKey?: string) => {
    const [platform, ...rest] = workspaceKey.split(':')
    const workspace = { platform, workspaceId: rest.join(':') } as WorkspaceRef
    const member = memberKey ? ({ ...workspace, userId: memberKey.slice(workspaceKey.length + 1) } as MemberRef) : undefined
    return { workspace, member }
  }
  return {
    name: model.name,
    async generateText(request) {
      const { workspace, member } = parse(request.context.workspaceKey, request.context.memberKey)
      await ledger.assertWithinBudget(workspace)
      const result = await model.generateText(request)
      await ledger.record(workspace, member, result.usage)
      return result
    },
    async generateObject(request) {
      const { workspace, member } = parse(request.context.workspaceKey, request.context.memberKey)
      await ledger.assertWithinBudget(workspace)
      const result = await model.generateObject(request)
      await ledger.record(workspace, member, result.usage)
      return result
    },
    close: model.close?.bind(model),
  }
}
