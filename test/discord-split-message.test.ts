// Splitting long text at Discord's 2,000-character limit without losing or reordering anything.
import { describe, expect, it } from 'vitest'
import { discordMessageLimit, splitMessage } from '../adapters/discord/split-message.js'

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim()

describe('splitMessage', () => {
  it('keeps short text whole', () => {
    expect(splitMessage('hello')).toEqual(['hello'])
  })

  it('splits text over 2,000 characters into pieces within the limit, at paragraph boundaries, losing nothing', () => {
    const paragraphs = Array.from({ length: 12 }, (_, index) => `Paragraph ${index}: ${'word '.repeat(60).trim()}.`)
    const text = paragraphs.join('\n\n')
    expect(text.length).toBeGreaterThan(discordMessageLimit)
    const pieces = splitMessage(text)
    expect(pieces.length).toBeGreaterThan(1)
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(discordMessageLimit)
    for (const piece of pieces) expect(piece.trimEnd().endsWith('.')).toBe(true)
    expect(normalise(pieces.join(' '))).toBe(normalise(text))
  })

  it('cuts a single unbroken run hard, never over the limit', () => {
    const text = 'x'.repeat(4500)
    const pieces = splitMessage(text)
    expect(pieces.map((piece) => piece.length)).toEqual([2000, 2000, 500])
    expect(pieces.join('')).toBe(text)
  })

  it('closes and reopens a code fence that a cut falls inside', () => {
    const code = Array.from({ length: 200 }, (_, index) => `  const value${index} = ${index}`).join('\n')
    const text = `Here is the code:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`
    const pieces = splitMessage(text)
    expect(pieces.length).toBeGreaterThan(1)
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(discordMessageLimit)
      expect((piece.match(/```/g) ?? []).length % 2).toBe(0)
    }
    expect(pieces[1]!.startsWith('```ts\n')).toBe(true)
    // Indentation inside code survives the cut.
    expect(pieces[1]!.split('\n')[1]).toMatch(/^ {2}const value\d+/)
  })

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(1500)
    for (const piece of splitMessage(text)) expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/)
  })
})
