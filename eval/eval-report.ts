// The combined result of `npm run eval`: what ran, on which data and models, every section's figures or why it was
// skipped, and token use. Written as JSON (for comparing runs) and markdown (for reading), timestamped plus `latest`.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AttributionReport } from './attribution-report.js'
import type { UsageByPurpose } from './counting-model.js'
import type { DataPaths, EvalOptions } from './eval-options.js'
import type { StyleProtocolReport } from './hyperalign-protocol.js'
import type { InjectionReport } from './injection-eval.js'
import type { ItemError } from './item-error.js'
import type { SafetySetReport } from './safety-eval.js'
import { formatEvalMarkdown } from './eval-markdown.js'

export type Section<T> =
  | { status: 'ok'; seconds: number; result: T }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; seconds: number; error: ItemError }

export type ModelInfo = { model: string; safetyModel: string; judgeModel: string; provider: 'hosted' | 'embedded'; contextSize?: number }

export type EvalReport = {
  version: 1
  startedAt: string
  finishedAt: string
  seconds: number
  command: string[]
  mode: EvalOptions['mode']
  sets: EvalOptions['sets']
  /** null: each set at its default size. */
  slice: number | null
  settings: { trainTexts: number; candidates: number; samples: number; temperature: number; concurrency: number; maxInputCharacters: number; defaultSizes: Record<string, number> }
  paths: DataPaths & { out: string; intentCache: string }
  /** null when no model part ran. */
  models: ModelInfo | null
  offline: { chat: Section<AttributionReport>; cmcc: Section<AttributionReport> }
  style: { cmcc: Section<StyleProtocolReport>; slack: Section<StyleProtocolReport> }
  safety: { xstest: Section<SafetySetReport>; jailbreakbench: Section<SafetySetReport> }
  injection: Section<InjectionReport & { attacks: Record<string, number> }>
  usage: UsageByPurpose
  notes: string[]
}

export const notRun = (reason: string): Section<never> => ({ status: 'skipped', reason })

/** Writes `eval-<time>.json/.md` and copies them to `latest.json/.md`; returns the two timestamped paths. */
export function writeEvalReport(report: EvalReport, directory: string): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true })
  const stamp = report.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const json = join(directory, `eval-${stamp}.json`)
  const markdown = join(directory, `eval-${stamp}.md`)
  writeFileSync(json, JSON.stringify(report, null, 1) + '\n')
  writeFileSync(markdown, formatEvalMarkdown(report))
  copyFileSync(json, join(directory, 'latest.json'))
  copyFileSync(markdown, join(directory, 'latest.md'))
  return { json, markdown }
}
