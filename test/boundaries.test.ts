// The house boundaries of DESIGN §2, checked on the source: adapters never import a model SDK or the store, the
// core never imports a platform SDK, each SDK has one home, and only src/config.ts reads the environment.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

const files = [...sourceFiles('src'), ...sourceFiles('adapters')].map((path) => ({ path, text: readFileSync(path, 'utf8') }))
const imports = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1] ?? match[2]!)
/** Where a relative import lands, from the repository root (`src/core/types.ts`); undefined for packages. */
const target = (from: string, name: string) => (name.startsWith('.') ? normalize(join(dirname(from), name)).replace(/\.js$/, '.ts') : undefined)
const importing = (pattern: RegExp) => files.filter((file) => imports(file.text).some((name) => pattern.test(name))).map((file) => file.path)

describe('boundaries', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(40)
    expect(importing(/^zod$/).length).toBeGreaterThan(5)
  })

  it('only src/llm/openai-* imports openai', () => {
    expect(importing(/^openai(\/|$)/).every((path) => /^src\/llm\/openai-/.test(path))).toBe(true)
  })

  it('only src/llm/local-* imports node-llama-cpp', () => {
    expect(importing(/^node-llama-cpp/).every((path) => /^src\/llm\/local-/.test(path))).toBe(true)
    // …and lazily, so the bot starts without the package.
    for (const path of importing(/^node-llama-cpp/)) {
      expect(readFileSync(path, 'utf8')).not.toMatch(/^import [^t][^\n]*from 'node-llama-cpp'/m)
    }
  })

  it('only src/store/* imports keyv', () => {
    expect(importing(/^(keyv|@keyv\/)/).every((path) => path.startsWith('src/store/'))).toBe(true)
  })

  it('the core never imports a platform SDK or an adapter', () => {
    const core = files.filter((file) => file.path.startsWith('src/core/'))
    for (const file of core) expect(imports(file.text).filter((name) => /^(@slack\/|discord\.js|@discordjs\/)|adapters\//.test(name)), file.path).toEqual([])
  })

  it('adapters never import a model SDK, the store, or model and store modules', () => {
    for (const file of files.filter((each) => each.path.startsWith('adapters/'))) {
      expect(imports(file.text).filter((name) => /^(openai|keyv|@keyv\/|node-llama-cpp)|\/src\/(llm|store)\//.test(name)), file.path).toEqual([])
    }
  })

  it('benchmarks, evaluation, scripts and the shared fakes never import from test/: what they share lives in testing/', () => {
    const shared = ['bench', 'eval', 'scripts', 'testing'].flatMap(sourceFiles).map((path) => ({ path, text: readFileSync(path, 'utf8') }))
    expect(shared.some((file) => file.path.startsWith('testing/fakes/'))).toBe(true)
    for (const file of shared) expect(imports(file.text).filter((name) => target(file.path, name)?.startsWith('test/')), file.path).toEqual([])
  })

  it('the platform, member and channel-kind schemas are declared once, in src/core/identity/member-ref.ts', () => {
    const declaring = (pattern: RegExp) => files.filter((file) => pattern.test(file.text)).map((file) => file.path)
    expect(declaring(/z\.enum\(\[\s*'slack',\s*'discord',\s*'console'/)).toEqual(['src/core/identity/member-ref.ts'])
    expect(declaring(/z\.enum\(\[\s*'public',\s*'private',\s*'direct'/)).toEqual(['src/core/identity/member-ref.ts'])
    // Store keys are read back only by the parser beside the builder, never split apart by hand.
    expect(files.filter((file) => /key\.split\(':'\)|Key\.split\(':'\)/.test(file.text)).map((file) => file.path)).toEqual(['src/core/identity/keys.ts'])
  })

  it('only src/config.ts reads process.env', () => {
    const readers = files.filter((file) => /process\.env\b/.test(file.text.replace(/\/\/.*$/gm, ''))).map((file) => file.path)
    expect(readers).toEqual(['src/config.ts'])
  })
})
