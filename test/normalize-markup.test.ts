// Platform markup becomes the plain text the bot learns from; no user id or name survives a mention.
import { describe, expect, it } from 'vitest'
import { normalizeMarkup, timeToken } from '../src/core/observe/normalize-markup.js'

describe('normalizeMarkup: Slack', () => {
  it('replaces user mentions, with or without a name, by @someone', () => {
    expect(normalizeMarkup('<@U00FAKEUSER1> can you look?', 'slack')).toBe('@someone can you look?')
    const named = normalizeMarkup('thanks <@U00FAKEUSER2|maria.lopez>!', 'slack')
    expect(named).toBe('thanks @someone!')
    expect(named).not.toMatch(/U00FAKEUSER2|maria/)
    expect(normalizeMarkup('<@W00FAKEUSER3> hi', 'slack')).toBe('@someone hi')
  })

  it('turns channel links into #name, and a nameless one into #channel', () => {
    expect(normalizeMarkup('see <#C00FAKECHAN1|general>', 'slack')).toBe('see #general')
    expect(normalizeMarkup('see <#C00FAKECHAN1>', 'slack')).toBe('see #channel')
  })

  it('turns <!here>, <!channel> and <!everyone> into @here', () => {
    expect(normalizeMarkup('<!here> deploy at 5', 'slack')).toBe('@here deploy at 5')
    expect(normalizeMarkup('<!channel|@channel> heads up', 'slack')).toBe('@here heads up')
    expect(normalizeMarkup('<!everyone> hello', 'slack')).toBe('@here hello')
  })

  it('drops user-group ids and replaces dates by the neutral time token', () => {
    expect(normalizeMarkup('<!subteam^S00FAKEGROUP|@oncall> ping', 'slack')).toBe('@someone ping')
    expect(normalizeMarkup('due <!date^1700000000^{date_short}|Nov 14>', 'slack')).toBe(`due ${timeToken}`)
  })

  it('keeps a link label, or the URL when there is none', () => {
    expect(normalizeMarkup('read <https://example.org/docs|the docs> first', 'slack')).toBe('read the docs first')
    expect(normalizeMarkup('read <https://example.org/docs>', 'slack')).toBe('read https://example.org/docs')
    expect(normalizeMarkup('mail <mailto:someone@example.org|someone@example.org>', 'slack')).toBe('mail someone@example.org')
  })

  it('unescapes &amp; &lt; &gt; after markup, so an escaped mention stays literal text', () => {
    expect(normalizeMarkup('a &lt; b &amp;&amp; c &gt; d', 'slack')).toBe('a < b && c > d')
    expect(normalizeMarkup('&lt;@U00FAKEUSER1&gt;', 'slack')).toBe('<@U00FAKEUSER1>')
  })

  it('keeps code fences and inline code as written, including their spacing', () => {
    const text = 'try this:\n```\n(defn f [x]\n    (* x   2))\n```\nand `(f   2)`'
    expect(normalizeMarkup(text, 'slack')).toBe(text)
    expect(normalizeMarkup('```\nif (a &lt; b) {}\n```', 'slack')).toBe('```\nif (a < b) {}\n```')
  })

  it('trims, collapses runs of spaces and blank lines, keeps single newlines', () => {
    expect(normalizeMarkup('  hello    there \r\n\n\n\n second   line  ', 'slack')).toBe('hello there\n\nsecond line')
    expect(normalizeMarkup('one\ntwo', 'slack')).toBe('one\ntwo')
  })
})

describe('normalizeMarkup: Discord', () => {
  it('replaces user mentions (plain and nickname form) by @someone and roles by @role', () => {
    expect(normalizeMarkup('<@100000000000000001> and <@!100000000000000002>', 'discord')).toBe('@someone and @someone')
    expect(normalizeMarkup('<@&100000000000000003> meeting', 'discord')).toBe('@role meeting')
  })

  it('replaces channel mentions, custom emoji, timestamps and command mentions', () => {
    expect(normalizeMarkup('see <#100000000000000004>', 'discord')).toBe('see #channel')
    expect(normalizeMarkup('nice <:party_parrot:100000000000000005> <a:dance:100000000000000006>', 'discord')).toBe('nice :party_parrot: :dance:')
    expect(normalizeMarkup('starts <t:1700000000:R>, ends <t:1700003600>', 'discord')).toBe(`starts ${timeToken}, ends ${timeToken}`)
    expect(normalizeMarkup('use </draft:100000000000000007>', 'discord')).toBe('use /draft')
  })

  it('keeps masked link labels and unwraps embed-suppressed URLs; leaves HTML entities alone', () => {
    expect(normalizeMarkup('[the docs](https://example.org/docs) and <https://example.org/x>', 'discord')).toBe('the docs and https://example.org/x')
    expect(normalizeMarkup('fish &amp; chips', 'discord')).toBe('fish &amp; chips')
  })

  it('keeps code as written, but still anonymises a mention inside it', () => {
    const text = '```js\nconst  a = <@1>\n```'
    expect(normalizeMarkup('```js\nconst  a = 1\n```', 'discord')).toBe('```js\nconst  a = 1\n```')
    expect(normalizeMarkup(text, 'discord')).toBe('```js\nconst  a = @someone\n```')
  })
})

describe('normalizeMarkup: console', () => {
  it('only tidies whitespace', () => {
    expect(normalizeMarkup('  <@U1>   stays\n\n\n\nhere ', 'console')).toBe('<@U1> stays\n\nhere')
  })
})
