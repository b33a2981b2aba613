// Loads the markdown prompts in prompts/ and fills their {{placeholders}}. Rendering fails on a missing or an unused
// value, so a prompt and the code that fills it cannot drift apart silently.
import { readFileSync } from 'node:fs'
import { BotError } from '../../bot-error.js'

export const promptNames = [
  'safety-spec',
  'safety-check.system',
  'safety-check-request.user',
  'safety-check-output.user',
  'learn-hypotheses.system',
  'learn-hypotheses.user',
  'learn-intent.system',
  'learn-intent.user',
  'learn-contrast.system',
  'learn-contrast.user',
  'draft.system',
  'draft.user',
  'answer.system',
  'answer.user',
  'eval-intent.system',
  'eval-intent.user',
  'eval-judge.system',
  'eval-judge.user',
  'eval-injection-judge.system',
  'eval-injection-judge.user',
] as const

export type PromptName = (typeof promptNames)[number]

export type PromptLibrary = {
  render(name: PromptName, values: Record<string, string>): string
  placeholders(name: PromptName): string[]
}

const placeholderPattern = /\{\{([a-z_]+)\}\}/g

export const defaultPromptDirectory = new URL('../../../prompts/', import.meta.url)

export function loadPromptLibrary(directory: URL | string = defaultPromptDirectory): PromptLibrary {
  const base = typeof directory === 'string' ? directory.replace(/\/?$/, '/') : directory.href
  const templates = new Map<PromptName, string>()
  for (const name of promptNames) {
    const location = typeof directory === 'string' ? base + name + '.md' : new URL(name + '.md', base)
    try {
      templates.set(name, readFileSync(location, 'utf8').trim())
    } catch (error) {
      throw new BotError('config_invalid', `The prompt file ${name}.md is missing from the prompts directory.`, { cause: error })
    }
  }
  const placeholders = (name: PromptName) => [...new Set([...templates.get(name)!.matchAll(placeholderPattern)].map((match) => match[1]!))]

  return {
    placeholders,
    render(name, values) {
      const template = templates.get(name)!
      const needed = placeholders(name)
      const missing = needed.filter((key) => values[key] === undefined)
      const unused = Object.keys(values).filter((key) => !needed.includes(key))
      if (missing.length || unused.length) {
        throw new BotError(
          'config_invalid',
          `Prompt ${name}: ${missing.length ? `missing values for ${missing.join(', ')}` : ''}${missing.length && unused.length ? '; ' : ''}${unused.length ? `unused values ${unused.join(', ')}` : ''}`,
        )
      }
      // One pass, so a value that itself contains {{…}} (member text) is never expanded.
      return template.replace(placeholderPattern, (_match, key: string) => values[key]!)
    },
  }
}
