// Runs the console app on a script of commands (as a pipe would feed it) against a real core; returns what it printed.
import { PassThrough } from 'node:stream'
import { runConsoleApp } from '../../adapters/console/console-app.js'
import type { BotCore } from '../../src/core/bot-core.js'

export async function runConsoleScript(core: BotCore, lines: string[]): Promise<string> {
  const input = new PassThrough()
  const output = new PassThrough()
  let text = ''
  output.on('data', (chunk) => (text += chunk))
  input.end(lines.join('\n') + '\n')
  await runConsoleApp({ core, input, output, samplePath: 'examples/sample-conversation.jsonl', modelDescription: 'fake' })
  return text
}
