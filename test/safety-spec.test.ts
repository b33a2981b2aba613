// The spec that applies: prompts/safety-spec.md split by its stage tags. Every rule reaches the stage that enforces
// it, each stage's prompt holds its own rules and not the others', and a rule left without a stage fails to load,
// so a split can never silently drop a rule.
import { describe, expect, it } from 'vitest'
import { loadPromptLibrary } from '../src/core/prompting/prompt-library.js'
import { safetySystemPrompt } from '../src/core/safety/deliberator.js'
import { parseSafetySpec } from '../src/core/safety/safety-spec.js'

const prompts = loadPromptLibrary()
const source = prompts.render('safety-spec', {})
const spec = parseSafetySpec(source)

/** The stage that must enforce each rule, as the design gives it (issue 12): a change here is a policy change. */
const enforcedAt: Record<string, 'request' | 'output'> = {
  H1: 'request', H2: 'request', H3: 'request', H4: 'request', H5: 'request', H6: 'request', H7: 'request', H8: 'request',
  W1: 'request', W6: 'request',
  W2: 'output', W3: 'output', W4: 'output', W5: 'output',
}

describe('safety spec per stage', () => {
  it('defines exactly the rules the design names, each enforced in full by its stage', () => {
    const defined = [...source.matchAll(/^### ([A-Z]\d+)\b/gm)].map((match) => match[1])
    expect(spec.rules.map((rule) => rule.id)).toEqual(defined)
    expect(Object.keys(enforcedAt).sort()).toEqual([...defined].sort())
    for (const rule of spec.rules) {
      const stage = enforcedAt[rule.id]!
      const system = safetySystemPrompt(prompts, spec, stage)
      expect(system, rule.id).toContain(rule.text)
      expect(spec.ruleIds(stage), rule.id).toContain(rule.id)
    }
  })

  it('gives each stage its own rules and not the other stage’s; the output stage gets the harm categories by title', () => {
    for (const stage of ['request', 'output'] as const) {
      const system = safetySystemPrompt(prompts, spec, stage)
      for (const rule of spec.rules.filter((each) => enforcedAt[each.id] !== stage)) {
        expect(system, `${rule.id} in the ${stage} prompt`).not.toContain(rule.text)
      }
    }
    const output = safetySystemPrompt(prompts, spec, 'output')
    for (const rule of spec.rules.filter((each) => each.id.startsWith('H'))) expect(output).toContain(`- ${rule.id} ${rule.title}`)
    expect(spec.ruleIds('output')).toEqual(['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8', 'W2', 'W3', 'W4', 'W5'])
    expect(spec.ruleIds('request')).toEqual(['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8', 'W1', 'W6'])
  })

  it('keeps the tags and the composer’s safe-completion lines out of the checks, and gives them to the composer', () => {
    for (const stage of ['request', 'output'] as const) {
      const system = safetySystemPrompt(prompts, spec, stage)
      expect(system).not.toContain('<!--')
      expect(system).not.toContain('Safe completion:')
      expect(system).not.toContain('Style of refusals')
    }
    const guidance = spec.safeCompletionGuidance(['H3', 'W1'])
    expect(guidance).toContain('A refusal is one short sentence')
    expect(guidance).toContain('- H3 Harassment and hate: the legitimate point')
    expect(guidance).not.toContain('W1')
  })

  it('fails to load a rule no check stage enforces in full, or an unknown stage', () => {
    expect(() => parseSafetySpec('# spec\n\n## Rules\n\n### W9 Untagged rule\nText.')).toThrow(/W9 is not enforced in full by any check stage/)
    expect(() => parseSafetySpec('# spec\n\n## Rules\n<!-- stages: output:short -->\n\n### H9 Titles only\nText.')).toThrow(/H9 is not enforced in full/)
    expect(() => parseSafetySpec('# spec\n\n## Rules\n<!-- stages: reqest -->\n\n### H9 Typo\nText.')).toThrow(/Unknown safety spec stage "reqest"/)
  })
})
