// Reads prompts/safety-spec.md into the part each stage reasons over (the paper's spec(category)): the general part,
// then the sections tagged for the stage, in full or as a short list of titles. The tags are HTML comments in the
// spec (`<!-- stages: request, output:short -->`), so the spec stays the one source and a model never sees them.
// A rule that no check stage would see is a load error: a split can never silently drop a rule.

export type CheckStage = 'request' | 'output'
/** Where a section goes: a check stage in full or as titles only, or the composer's safe-completion guidance. */
type Placement = CheckStage | `${CheckStage}:short` | 'compose'

export type SpecRule = {
  id: string
  title: string
  /** The rule as a check reads it: heading and text, without comments or the composer's "Safe completion" line. */
  text: string
  /** The rule's "Safe completion:" line, without the label, if it has one. */
  safeCompletion?: string
  placements: Placement[]
}

export type SafetySpec = {
  rules: SpecRule[]
  /** The spec text a check stage reasons over. */
  forStage(stage: CheckStage): string
  /** The rule ids a stage's check may cite: those its text holds, in full or as a title. */
  ruleIds(stage: CheckStage): [string, ...string[]]
  /** The composer's guidance for a safe completion under these rules: the spec's style section plus their lines. */
  safeCompletionGuidance(ruleIds: string[]): string
  /** `H3 Harassment and hate`, for a member-facing sentence that names the rule. */
  ruleName(id: string): string
}

type Section = { heading: string; intro: string; placements: Placement[]; rules: SpecRule[] }

const tagPattern = /<!--\s*stages:\s*([^>]*?)\s*-->/
const commentPattern = /<!--[\s\S]*?-->\n?/g
/** The line and its indented continuation lines. */
const safeCompletionPattern = /^- Safe completion:[ \t]*(.*(?:\n[ \t]+.*)*)/m
const placementPattern = /^(request|output)(:short)?$|^compose$/

export function parseSafetySpec(spec: string): SafetySpec {
  const [preamble = '', ...chunks] = spec.split(/^(?=## )/m)
  const sections = chunks.map(parseSection)
  const rules = sections.flatMap((section) => section.rules)
  if (rules.length === 0) throw new Error('The safety spec defines no rule ids (### H1 …)')
  for (const rule of rules) {
    if (!rule.placements.some((placement) => placement === 'request' || placement === 'output')) {
      throw new Error(`Safety spec rule ${rule.id} is not enforced in full by any check stage; tag it <!-- stages: request --> or <!-- stages: output -->`)
    }
  }
  const general = strip(preamble)
  const byId = new Map(rules.map((rule) => [rule.id, rule]))

  const forStage = (stage: CheckStage): string => {
    const parts = [general]
    for (const section of sections) {
      const full = section.rules.filter((rule) => rule.placements.includes(stage))
      const short = section.rules.filter((rule) => !full.includes(rule) && rule.placements.includes(`${stage}:short`))
      if (section.rules.length === 0 && section.placements.includes(stage)) parts.push(joinBlocks([section.heading, section.intro]))
      if (full.length === 0 && short.length === 0) continue
      parts.push(joinBlocks([section.heading, section.intro, ...full.map((rule) => rule.text), short.map((rule) => `- ${rule.id} ${rule.title}`).join('\n')]))
    }
    return parts.join('\n\n')
  }
  const style = sections.filter((section) => section.placements.includes('compose') && section.rules.length === 0).map((section) => section.intro)

  return {
    rules,
    forStage,
    ruleIds: (stage) => {
      const ids = rules.filter((rule) => rule.placements.includes(stage) || rule.placements.includes(`${stage}:short`)).map((rule) => rule.id)
      if (ids.length === 0) throw new Error(`The safety spec gives the ${stage} stage no rules`)
      return ids as [string, ...string[]]
    },
    safeCompletionGuidance: (ruleIds) => {
      const lines = ruleIds.flatMap((id) => {
        const rule = byId.get(id)
        return rule?.safeCompletion ? [`- ${rule.id} ${rule.title}: ${rule.safeCompletion}`] : []
      })
      return [...style, ...lines].join('\n')
    },
    ruleName: (id) => {
      const rule = byId.get(id)
      return rule ? `${rule.id} ${rule.title}` : id
    },
  }
}

function parseSection(chunk: string): Section {
  const [head = '', ...ruleChunks] = chunk.split(/^(?=### )/m)
  const { heading, body, placements } = headed(head)
  return { heading, intro: body, placements, rules: ruleChunks.map((ruleChunk) => parseRule(ruleChunk, placements)) }
}

function parseRule(chunk: string, inherited: Placement[]): SpecRule {
  const { heading, body, placements } = headed(chunk)
  const match = /^### ([A-Z]\d+)\s+(.+)$/.exec(heading)
  if (!match) throw new Error(`Safety spec rule heading "${heading}" does not start with an id (### H1 Title)`)
  const line = safeCompletionPattern.exec(body)
  // How to complete safely is the composer's business; a check only has to decide that a safe completion is possible.
  const text = joinBlocks([heading, line ? (body.slice(0, line.index) + body.slice(line.index + line[0].length)).trim() : body])
  return { id: match[1]!, title: match[2]!.trim(), text, safeCompletion: line?.[1]?.replace(/\s*\n\s*/g, ' '), placements: placements.length ? placements : inherited }
}

function headed(chunk: string): { heading: string; body: string; placements: Placement[] } {
  const newline = chunk.indexOf('\n')
  const heading = (newline === -1 ? chunk : chunk.slice(0, newline)).trim()
  const rest = newline === -1 ? '' : chunk.slice(newline + 1)
  const tag = tagPattern.exec(rest)?.[1]
  const placements = tag ? tag.split(/\s*,\s*/).map(placementOf) : []
  return { heading, body: strip(rest), placements }
}

function placementOf(value: string): Placement {
  if (!placementPattern.test(value)) throw new Error(`Unknown safety spec stage "${value}" (use request, output, request:short, output:short or compose)`)
  return value as Placement
}

const strip = (text: string) => text.replace(commentPattern, '').replace(/\n{3,}/g, '\n\n').trim()
const joinBlocks = (blocks: string[]) => blocks.filter(Boolean).join('\n\n')
