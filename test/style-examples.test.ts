// Example selection for drafts and diverse sampling for learning: register-matched, diverse, deterministic.
import { describe, expect, it } from 'vitest'
import { sampleDiverse } from '../src/core/style/sample-diverse.js'
import { selectExamples } from '../src/core/style/select-examples.js'

const candidates = [
  { id: 'm1', text: 'Has anyone seen the deploy fail with a timeout on staging?' },
  { id: 'm2', text: 'Has anyone seen the deploy fail with a timeout on staging??' },
  { id: 'm3', text: 'Has anyone seen the deploy fail with a timeout on staging again?' },
  { id: 'm4', text: 'the deploy to staging is done, timeouts fixed' },
  { id: 'm5', text: 'try this:\n```\nkubectl rollout restart deploy/api\n```' },
  { id: 'm6', text: 'lunch?' },
  { id: 'm7', text: 'I think the release notes need another pass before Friday.' },
  { id: 'm8', text: 'Can someone review my pull request for the login page?' },
  { id: 'm9', text: 'ok' },
  { id: 'm10', text: 'x'.repeat(2000) + ' deploy staging timeout' },
]

describe('selectExamples', () => {
  it('prefers messages of the same kind and topic as the intent', () => {
    const question = selectExamples('ask whether the staging deploy timeout is back', candidates, 2)
    expect(question[0]!.id).toMatch(/^m[123]$/)
    const code = selectExamples('share the `kubectl` command that restarts the deploy', candidates, 1)
    expect(code[0]!.id).toBe('m5')
  })

  it('does not return near-duplicates of one message', () => {
    const picked = selectExamples('ask if the staging deploy timeout happened again', candidates, 3)
    expect(picked).toHaveLength(3)
    expect(picked.filter((each) => /^m[123]$/.test(each.id)).length).toBe(1)
  })

  it('is deterministic and independent of object identity', () => {
    const first = selectExamples('tell them the release notes need work', candidates, 4)
    const second = selectExamples('tell them the release notes need work', candidates.map((each) => ({ ...each })), 4)
    expect(second.map((each) => each.id)).toEqual(first.map((each) => each.id))
  })

  it('keeps very long messages out while shorter ones suffice, and passes extra fields through', () => {
    const withKind = candidates.map((each) => ({ ...each, channelKind: 'public' as const }))
    const picked = selectExamples('deploy staging timeout', withKind, 5)
    expect(picked.map((each) => each.id)).not.toContain('m10')
    expect(picked[0]!.channelKind).toBe('public')
  })

  it('handles k of zero, no candidates, and k larger than the pool', () => {
    expect(selectExamples('anything', candidates, 0)).toEqual([])
    expect(selectExamples('anything', [], 3)).toEqual([])
    expect(selectExamples('anything', candidates.slice(5, 7), 5)).toHaveLength(2)
  })
})

describe('sampleDiverse', () => {
  const start = Date.UTC(2024, 0, 1)
  const messages = Array.from({ length: 300 }, (_, index) => {
    const kind = index % 10
    const text =
      kind === 0 ? `how do I fix build ${index}?`
        : kind === 1 ? `\`\`\`\nrun --step ${index}\n\`\`\``
          : kind === 2 ? `ok ${index}`
            : `this is a longer statement about the release number ${index} and what we still need to do before it ships to everyone`
    return { id: `m${index}`, text, timestamp: start + index * 3_600_000 }
  })

  it('returns n distinct messages in time order', () => {
    const sample = sampleDiverse(messages, 20)
    expect(sample).toHaveLength(20)
    expect(new Set(sample.map((each) => each.id)).size).toBe(20)
    const times = sample.map((each) => each.timestamp)
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })

  it('covers every register (questions, code, short replies, long statements) and the whole time span', () => {
    const sample = sampleDiverse(messages, 20)
    expect(sample.some((each) => each.text.endsWith('?'))).toBe(true)
    expect(sample.some((each) => each.text.includes('```'))).toBe(true)
    expect(sample.some((each) => /^ok \d+$/.test(each.text))).toBe(true)
    expect(sample.some((each) => each.text.startsWith('this is a longer'))).toBe(true)
    const span = messages[messages.length - 1]!.timestamp - messages[0]!.timestamp
    expect(sample[0]!.timestamp - messages[0]!.timestamp).toBeLessThan(span * 0.1)
    expect(messages[messages.length - 1]!.timestamp - sample[sample.length - 1]!.timestamp).toBeLessThan(span * 0.1)
  })

  it('is deterministic whatever the input order, and skips repeated texts', () => {
    const shuffled = [...messages].reverse()
    expect(sampleDiverse(shuffled, 25).map((each) => each.id)).toEqual(sampleDiverse(messages, 25).map((each) => each.id))
    const repeated = [...messages.slice(0, 5), ...messages.slice(0, 5).map((each, index) => ({ ...each, id: `copy${index}`, timestamp: each.timestamp + 1 }))]
    expect(sampleDiverse(repeated, 10)).toHaveLength(5)
  })

  it('returns everything when asked for more than there is, and nothing for n = 0', () => {
    expect(sampleDiverse(messages.slice(0, 3), 10)).toHaveLength(3)
    expect(sampleDiverse(messages, 0)).toEqual([])
  })
})
