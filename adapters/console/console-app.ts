// The terminal workspace: a line-by-line loop over the console commands. Works interactively (a prompt, progress
// updated in place) and from a pipe (`npm start < script.txt`), so the same commands script a demo or a test.
import { createInterface } from 'node:readline'
import { isBotError } from '../../src/bot-error.js'
import type { BotCore } from '../../src/core/bot-core.js'
import { consoleWorkspace, createConsoleCommands, helpText, type ConsoleIo } from './console-commands.js'

export type ConsoleAppOptions = {
  core: BotCore
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
  samplePath: string
  modelDescription: string
  /** Ends the loop as if the input had ended (the adapter's stop). */
  signal?: AbortSignal
}

export async function runConsoleApp(options: ConsoleAppOptions): Promise<void> {
  const input = options.input ?? process.stdin
  const output = options.output ?? process.stdout
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY && (output as { isTTY?: boolean }).isTTY)
  const lines = createInterface({ input, output: interactive ? output : undefined, terminal: interactive })
  const pending: string[] = []
  const iterator = lines[Symbol.asyncIterator]()
  options.signal?.addEventListener('abort', () => lines.close(), { once: true })
  const nextLine = async (): Promise<string | undefined> => pending.shift() ?? ((await iterator.next()).value as string | undefined)

  const io: ConsoleIo = {
    print: (text) => output.write(`${interactive ? '\r\x1b[K' : ''}${text}\n`),
    progress: (text) => (interactive ? output.write(`\r\x1b[K${text}`) : output.write(`${text}\n`)),
    async confirm(question) {
      output.write(`${question} [y/N] `)
      const answer = await nextLine()
      if (!interactive) output.write('\n')
      return /^y(es)?$/i.test((answer ?? '').trim())
    },
  }

  // The console operator is the admin of its own local workspace: switch it on and allow learning everywhere.
  const admin = { member: { ...consoleWorkspace, userId: 'console-admin' }, isPlatformAdmin: true }
  const policy = await options.core.admin.policy(admin, consoleWorkspace)
  if (policy.updatedAt === 0) {
    await options.core.admin.setEnabled(admin, consoleWorkspace, true)
    await options.core.admin.setLearningChannels(admin, consoleWorkspace, ['*'])
  }

  const commands = createConsoleCommands(options.core, io, { samplePath: options.samplePath })
  io.print(`hyperalign console — model: ${options.modelDescription}. Type \`demo\` for a walkthrough, \`help\` for commands.`)
  if (interactive) io.print(helpText.split('\n')[0]!)
  const prompt = () => interactive && output.write(`${commands.state.member?.userId ?? 'console'}> `)
  prompt()
  for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
    if (!interactive && line.trim()) output.write(`> ${line.trim()}\n`)
    try {
      if ((await commands.run(line)) === 'quit') break
    } catch (error) {
      io.print(isBotError(error) ? `⚠ ${error.userMessage}` : `⚠ Unexpected error: ${error instanceof Error ? error.message : String(error)}`)
    }
    prompt()
  }
  lines.close()
}
