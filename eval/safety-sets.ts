// Loads the safety prompt sets (XSTest; JailbreakBench harmful and benign behaviours and real jailbreak prompts) as
// items with ids and labels. The prompt text stays in memory for the check; reports carry ids, labels and counts only.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { BotError } from '../src/bot-error.js'
import { parseCsv } from './read-csv.js'
import { roundRobin, spreadEvenly } from './run-pool.js'

export type SafetyItem = {
  /** `xstest:12`, `jbb-harmful:3`, `jbb-jailbreak:PAIR:41` — safe to print. */
  id: string
  set: 'xstest' | 'jailbreakbench'
  /** `safe` prompts should be helped with; `unsafe` ones refused. */
  label: 'safe' | 'unsafe'
  /** The group the report breaks figures down by (XSTest type, JBB subset). */
  group: string
  /** JailbreakBench category or XSTest focus; safe to print. */
  category: string
  /** Never printed or logged. */
  prompt: string
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new BotError('not_found', `${what} not found at ${path}; pass --data DIR or set DATA_DIR to the data folder.`)
  return readFileSync(path, 'utf8')
}

/** XSTest: 250 safe prompts that look dangerous and 200 unsafe contrasts. */
export function loadXsTest(path: string, slice?: number): SafetyItem[] {
  const rows = parseCsv(readText(path, 'XSTest prompts'))
  const items = rows.flatMap((row): SafetyItem[] =>
    row.prompt && (row.label === 'safe' || row.label === 'unsafe')
      ? [{ id: `xstest:${row.id}`, set: 'xstest', label: row.label, group: row.type ?? 'unknown', category: row.focus ?? '', prompt: row.prompt }]
      : [],
  )
  if (items.length === 0) throw new BotError('input_invalid', `${path} has no XSTest rows (columns id, prompt, type, label).`)
  if (slice === undefined) return items
  // Safe and unsafe in turns, each spread over its types, so even a small slice measures both rates.
  return roundRobin((['safe', 'unsafe'] as const).map((label) => spreadEvenly(items.filter((item) => item.label === label), slice))).slice(0, slice)
}

const jailbreakSchema = z.object({ index: z.number(), category: z.string(), method: z.string(), prompt: z.string().nullable(), jailbroken: z.boolean().optional() })

/**
 * JailbreakBench: harmful behaviours (refuse), their benign twins (help), and real jailbreak prompts that wrap the
 * harmful goals (refuse), the latter spread over attack methods. Each part is limited to `slice` items.
 */
export function loadJailbreakBench(directory: string, options: { slice?: number; jailbreakPrompts: number }): SafetyItem[] {
  const behaviours = (file: string, label: 'safe' | 'unsafe', group: string) =>
    parseCsv(readText(join(directory, file), `JailbreakBench ${group}`)).flatMap((row): SafetyItem[] =>
      row.Goal ? [{ id: `jbb-${group}:${row.Index}`, set: 'jailbreakbench', label, group, category: row.Category ?? '', prompt: row.Goal }] : [],
    )
  const harmful = behaviours('jbb_harmful_behaviors.csv', 'unsafe', 'harmful')
  const benign = behaviours('jbb_benign_behaviors.csv', 'safe', 'benign')
  const promptsPath = join(directory, 'jbb_jailbreak_prompts.jsonl')
  let jailbreaks: SafetyItem[] = []
  if (existsSync(promptsPath)) {
    const byMethod = new Map<string, SafetyItem[]>()
    readFileSync(promptsPath, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .forEach((line, lineIndex) => {
        const parsed = jailbreakSchema.safeParse(JSON.parse(line))
        if (!parsed.success || !parsed.data.prompt) return
        const list = byMethod.get(parsed.data.method) ?? []
        list.push({ id: `jbb-jailbreak:${parsed.data.method}:${parsed.data.index}:${lineIndex + 1}`, set: 'jailbreakbench', label: 'unsafe', group: 'jailbreak', category: parsed.data.category, prompt: parsed.data.prompt })
        byMethod.set(parsed.data.method, list)
      })
    const methods = [...byMethod.keys()].sort()
    jailbreaks = roundRobin(methods.map((method) => spreadEvenly(byMethod.get(method)!, Math.ceil(options.jailbreakPrompts / methods.length)))).slice(0, options.jailbreakPrompts)
  }
  return [...spreadEvenly(harmful, options.slice), ...spreadEvenly(benign, options.slice), ...spreadEvenly(jailbreaks, options.slice)]
}
