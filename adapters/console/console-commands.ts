// The console's commands: each line the operator types becomes one core call, rendered as text. The operator is
// the workspace admin and can act as any member; the core still enforces consent and who may see what.
import { existsSync } from 'node:fs'
import { BotError } from '../../src/bot-error.js'
import type { Actor, HypothesisCategory, MemberRef, WorkspaceRef } from '../../src/core/types.js'
import type { BotCore } from '../../src/core/bot-core.js'
import { splitNames, splitPathArgument } from './command-arguments.js'
import { createMemberDirectory, type MemberDirectory } from './member-directory.js'
import { readConversationFile } from './read-conversation-file.js'
import { renderImportProgress, renderImportReport, renderReadSummary } from './render-import.js'
import { renderAnswer, renderAuditLog, renderCounts, renderDraft, renderForget, renderMemberConsent, renderMembers, renderPolicy, renderProfile } from './render-text.js'

export type ConsoleIo = {
  print(text: string): void
  /** Progress on one line that updates in place (a terminal) or plain lines (a pipe). */
  progress(text: string): void
  confirm(question: string): Promise<boolean>
}

export type ConsoleState = { member?: MemberRef; lastDraftId?: string; directory: MemberDirectory; channelCounter: number }

export const consoleWorkspace: WorkspaceRef = { platform: 'console', workspaceId: 'local' }
const operator: Actor = { member: { ...consoleWorkspace, userId: 'console-admin' }, isPlatformAdmin: true }

export const helpText = `Commands (the operator is this workspace's admin):
  import <file.jsonl | slack-export-dir | slack-export.zip> [name,name,…]   import messages; the named members (default: every active member) are opted in on the strength of this import
  members                      members seen in imports, with their names and opt-in state
  as <user>                    act as a member, by id or by name (everything below is on their behalf)
  optin | optout               opt in, or opt out (erases everything about you)
  say <text>                   write a message as yourself (it is learned from, if you opted in)
  learn                        learn your hypotheses now from your messages
  profile                      what was learned about you: hypotheses with evidence, measured style
  draft <what you want to say> a draft in your voice (private to you)
  regenerate | discard         redo or throw away the last draft
  ask <question>               an answer shaped by how you like to be spoken to
  score <text>                 how much a text sounds like you (0 = like others, 1 = like you)
  pin <id> | unpin <id> | delete <id> | correct <id> <statement> | add <communication|personality|style> <statement>
  forget                       erase everything about you (asks first)
  admin policy | enable | disable | channels <id,id|*> | retention <days> | mode <member|admin> | members | counts | audit | optin <user> | optout <user>
  demo                         import the sample conversation and walk through learning and drafting
  help | quit`

const categories: Record<string, HypothesisCategory> = {
  communication: 'communication_strategy',
  personality: 'personality',
  style: 'writing_style',
}

export function createConsoleCommands(core: BotCore, io: ConsoleIo, options: { samplePath: string }) {
  const state: ConsoleState = { directory: createMemberDirectory(), channelCounter: 0 }
  const me = (): Actor => {
    if (!state.member) throw new BotError('input_invalid', 'Choose who you are first: `as <user>` (see `members`).')
    return { member: state.member, isPlatformAdmin: false }
  }

  const importFile = async (path: string, names?: string) => {
    const file = await readConversationFile(path, consoleWorkspace)
    state.directory.add(file.members.values())
    for (const line of renderReadSummary(file)) io.print(line)
    const inFile = [...file.members.values()].filter((each) => each.messages > 0)
    let consenting: string[]
    if (names && splitNames(names).length) {
      const wanted = splitNames(names).map((name) => ({ name, userId: state.directory.resolve(name, inFile) }))
      const unknown = wanted.filter((each) => !each.userId).map((each) => each.name)
      if (unknown.length) throw new BotError('input_invalid', `Not in this file: ${unknown.join(', ')}. See \`members\` after importing.`)
      consenting = [...new Set(wanted.map((each) => each.userId!))]
    } else {
      // A deactivated account can neither agree nor opt out; it is opted in only when named.
      consenting = inFile.filter((each) => !each.deactivated).map((each) => each.userId)
    }
    const left = inFile.filter((each) => each.deactivated && !consenting.includes(each.userId))
    io.print(
      `Importing ${file.messageCount} messages; opting in ${consenting.length} member(s) on the strength of this import.${left.length ? ` Deactivated, so not opted in unless named: ${left.map((each) => state.directory.label(each.userId)).join(', ')}.` : ''}`,
    )
    const started = Date.now()
    const report = await core.admin.importMessages({
      actor: operator,
      messages: file.messages(),
      total: file.messageCount,
      consentingUserIds: consenting,
      onProgress: (done, total, stage, counts) => io.progress(renderImportProgress(done, total, stage, Date.now() - started, counts)),
    })
    const policy = await core.admin.policy(operator, consoleWorkspace)
    io.print(renderImportReport(report, file, policy.learningChannels))
  }

  const run = async (line: string): Promise<'quit' | void> => {
    const [command = '', ...rest] = line.trim().split(/\s+/)
    const argument = line.trim().slice(command.length).trim()
    switch (command.toLowerCase()) {
      case '':
        return
      case 'help':
        io.print(helpText)
        return
      case 'quit':
      case 'exit':
        return 'quit'
      case 'import': {
        if (!argument) throw new BotError('input_invalid', 'Usage: import <file.jsonl | slack-export-dir | slack-export.zip> [name,name,…]')
        const { path, rest: names } = splitPathArgument(argument, existsSync)
        return importFile(path, names)
      }
      case 'members': {
        const listed = await core.admin.members(operator, consoleWorkspace)
        const opted = new Map(listed.map((each) => [each.userId, each.historySize]))
        const users = new Set([...state.directory.all().map((each) => each.userId), ...opted.keys()])
        if (!users.size) return io.print('No members yet: `import` a file, or `as <name>` then `say` something.')
        const count = (userId: string) => state.directory.get(userId)?.messages ?? 0
        const rows = [...users].sort((a, b) => count(b) - count(a))
        const names = new Map(rows.map((user) => [user, state.directory.describe(user)]))
        const width = Math.max(0, ...[...names.values()].map((each) => each.length))
        io.print(
          rows
            .map((user) => `${user.padEnd(24)} ${width ? `${names.get(user)!.padEnd(width)}  ` : ''}${opted.has(user) ? `opted in, ${opted.get(user)} messages kept` : 'not opted in'}`)
            .join('\n'),
        )
        return
      }
      case 'as': {
        if (!argument) throw new BotError('input_invalid', 'Usage: as <user>')
        // A name from an import selects that member; anything else is taken as a member id (e.g. to `say` things).
        const userId = state.directory.resolve(argument) ?? argument
        state.member = { ...consoleWorkspace, userId }
        const label = state.directory.label(userId)
        io.print(`You are now ${label}${label === userId ? '' : ` (${userId})`}.`)
        return
      }
      case 'optin': {
        const outcome = await core.setConsent(me(), me().member, true)
        io.print(`Opted in. ${(await core.profile(me(), me().member)).consentStatement}`)
        return void outcome
      }
      case 'optout': {
        const outcome = await core.setConsent(me(), me().member, false)
        io.print(`Opted out. ${outcome.erased ? renderForget(outcome.erased) : ''}`)
        return
      }
      case 'say': {
        state.channelCounter += 1
        const outcome = await core.observe({
          kind: 'created',
          workspace: consoleWorkspace,
          userId: me().member.userId,
          channelId: 'console',
          channelKind: 'public',
          messageId: `console-${Date.now()}-${state.channelCounter}`,
          text: argument,
          timestamp: Date.now(),
        })
        io.print(outcome.status === 'stored' ? 'Noted.' : `Not learned from (${outcome.status === 'ignored' ? outcome.reason.replace(/_/g, ' ') : outcome.status}).`)
        return
      }
      case 'learn': {
        io.progress('learning from your messages…')
        const profile = await core.learn(me(), me().member)
        io.print(renderProfile(profile))
        return
      }
      case 'profile':
        io.print(renderProfile(await core.profile(me(), me().member)))
        return
      case 'draft': {
        io.progress('drafting…')
        const result = await core.draft({ actor: me(), intent: argument, channelKind: 'public' })
        if (result.status === 'drafted') state.lastDraftId = result.draftId
        io.print(renderDraft(result))
        return
      }
      case 'regenerate': {
        if (!state.lastDraftId) throw new BotError('input_invalid', 'There is no draft to regenerate; use `draft` first.')
        io.progress('drafting again…')
        const result = await core.regenerateDraft(me(), state.lastDraftId)
        if (result.status === 'drafted') state.lastDraftId = result.draftId
        io.print(renderDraft(result))
        return
      }
      case 'discard': {
        if (!state.lastDraftId) throw new BotError('input_invalid', 'There is no draft to discard.')
        await core.finalizeDraft(me(), { action: 'discard', draftId: state.lastDraftId })
        state.lastDraftId = undefined
        io.print('Discarded.')
        return
      }
      case 'ask': {
        io.progress('thinking…')
        io.print(renderAnswer(await core.answer({ actor: me(), question: argument })))
        return
      }
      case 'score': {
        const result = await core.scoreStyle(me(), argument)
        io.print(result.styleMatch === undefined ? `Not enough of your messages yet (${result.messages}).` : `style match ${result.styleMatch.toFixed(2)}`)
        return
      }
      case 'pin':
      case 'unpin':
      case 'delete':
        if (!rest[0]) throw new BotError('input_invalid', `Usage: ${command} <id> (ids are in \`profile\`)`)
        io.print(renderProfile(await core.editHypothesis(me(), me().member, command === 'delete' ? { action: 'delete', hypothesisId: rest[0] } : { action: 'pin', hypothesisId: rest[0], pinned: command === 'pin' })))
        return
      case 'correct':
        if (!rest[0] || rest.length < 2) throw new BotError('input_invalid', 'Usage: correct <id> <the statement as it should be>')
        io.print(renderProfile(await core.editHypothesis(me(), me().member, { action: 'correct', hypothesisId: rest[0], statement: rest.slice(1).join(' ') })))
        return
      case 'add': {
        const category = categories[rest[0] ?? '']
        if (!category || rest.length < 2) throw new BotError('input_invalid', 'Usage: add <communication|personality|style> <statement>')
        io.print(renderProfile(await core.editHypothesis(me(), me().member, { action: 'add', category, statement: rest.slice(1).join(' ') })))
        return
      }
      case 'forget': {
        if (!(await io.confirm(`Erase everything hyperalign keeps about ${me().member.userId}? This cannot be undone.`))) return io.print('Kept.')
        io.print(renderForget(await core.forget(me(), me().member)))
        return
      }
      case 'admin':
        return runAdmin(rest)
      case 'demo':
        return runDemo()
      default:
        io.print(`Unknown command “${command}”. Type \`help\`.`)
    }
  }

  const runAdmin = async (words: string[]) => {
    const [sub = 'policy', value] = words
    const admin = core.admin
    const scope = [operator, consoleWorkspace] as const
    const memberConsent = async (optedIn: boolean) => {
      const outcome = await admin.setMemberConsent(...scope, value ?? '', optedIn)
      return [renderMemberConsent(outcome), ...(outcome.notifyMember ? [`(told ${value} privately: “${outcome.notifyMember}”)`] : [])].join('\n')
    }
    const actions: Record<string, () => Promise<string>> = {
      policy: async () => renderPolicy(await admin.policy(...scope)),
      enable: async () => renderPolicy(await admin.setEnabled(...scope, true)),
      disable: async () => renderPolicy(await admin.setEnabled(...scope, false)),
      channels: async () => renderPolicy(await admin.setLearningChannels(...scope, (value ?? '').split(','))),
      retention: async () => renderPolicy(await admin.setRetentionDays(...scope, Number(value))),
      mode: async () => {
        if (value !== 'member' && value !== 'admin') throw new BotError('input_invalid', 'Usage: admin mode <member|admin>')
        return renderPolicy(await admin.setConsentMode(...scope, value))
      },
      members: async () => renderMembers(await admin.members(...scope)),
      counts: async () => renderCounts(await admin.counts(...scope)),
      audit: async () => renderAuditLog(await admin.auditLog(...scope, 20)),
      optin: () => memberConsent(true),
      optout: () => memberConsent(false),
    }
    const action = actions[sub]
    if (!action) throw new BotError('input_invalid', `Unknown admin command “${sub}”. Type \`help\`.`)
    io.print(await action())
  }

  const runDemo = async () => {
    io.print(`Importing the sample conversation (${options.samplePath}).`)
    await importFile(options.samplePath)
    const first = state.directory.all().sort((a, b) => b.messages - a.messages)[0]!.userId
    await run(`as ${first}`)
    await run('profile')
    try {
      await run('learn')
      await run('draft tell the team the deploy is delayed until the tests pass')
    } catch (error) {
      if (error instanceof BotError && error.code === 'llm_not_configured') {
        io.print(`\nMeasured style works without a model; learning hypotheses and drafting need one.\n${error.userMessage}`)
        return
      }
      throw error
    }
    io.print('\nTry `score <some text>`, `ask <question>`, `as <another member>`, or `help`.')
  }

  return { run, state }
}
