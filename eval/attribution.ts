// Command line for the offline attribution evaluation:
//   npx tsx eval/attribution.ts [--corpus <chat.jsonl>] [--platform slack|discord|console] [--json <out.json>]
//   npx tsx eval/attribution.ts --cmcc [<cmcc.jsonl>] [--json <out.json>]
// Paths default under DATA_DIR (from settings); nothing is written except the optional JSON file.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BotError } from '../src/bot-error.js'
import { loadConfig } from '../src/config.js'
import type { Platform } from '../src/core/types.js'
import { formatAttributionMarkdown, runChatAttribution, runCmccAttribution } from './attribution-report.js'

export type AttributionArguments = { corpus?: string; cmcc?: string | true; json?: string; platform: Platform }

export function parseAttributionArguments(argv: string[]): AttributionArguments {
  const parsed: AttributionArguments = { platform: 'slack' }
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!
    const value = argv[index + 1]
    const takeValue = () => {
      if (!value || value.startsWith('--')) throw new BotError('input_invalid', `${flag} needs a value`)
      index++
      return value
    }
    if (flag === '--corpus') parsed.corpus = takeValue()
    else if (flag === '--json') parsed.json = takeValue()
    else if (flag === '--platform') {
      const platform = takeValue()
      if (platform !== 'slack' && platform !== 'discord' && platform !== 'console') throw new BotError('input_invalid', '--platform must be slack, discord or console')
      parsed.platform = platform
    } else if (flag === '--cmcc') {
      if (value && !value.startsWith('--')) {
        parsed.cmcc = value
        index++
      } else parsed.cmcc = true
    } else throw new BotError('input_invalid', `Unknown argument ${flag}. Usage: eval/attribution.ts [--corpus <path>] [--cmcc [<path>]] [--json <out.json>]`)
  }
  return parsed
}

/** Runs the evaluation for `argv` and writes the markdown report through `write` (stdout by default). */
export function main(argv: string[], write: (text: string) => void = (text) => void process.stdout.write(text)): void {
  const options = parseAttributionArguments(argv)
  const dataDirectory = loadConfig().DATA_DIR
  const report = options.cmcc
    ? runCmccAttribution(options.cmcc === true ? join(dataDirectory, 'authorship', 'cmcc.jsonl') : options.cmcc)
    : runChatAttribution(options.corpus ?? join(dataDirectory, 'chat', 'slack-software-help.dev.jsonl'), { platform: options.platform })
  write(formatAttributionMarkdown(report) + '\n')
  if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${error instanceof BotError ? error.userMessage : String(error)}\n`)
    process.exit(1)
  }
}
