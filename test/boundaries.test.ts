// The house boundaries of DESIGN §2, checked on the source: src/ never imports an adapter or the composition root,
// adapters import only the core's public contract, the error type and the logger, the composition root knows adapters
// only as PlatformAdapter, the core never imports a platform SDK, each SDK has one home, only src/config.ts reads the
// environment.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

const files = [...sourceFiles('src'), ...sourceFiles('adapters'), ...sourceFiles('app')].map((path) => ({ path, text: readFileSync(path, 'utf8') }))
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

  it('src/ never imports an adapter or the composition root: every arrow of the house points down', () => {
    for (const file of files.filter((each) => each.path.startsWith('src/'))) {
      expect(imports(file.text).filter((name) => /^(adapters|app)\//.test(target(file.path, name) ?? '')), file.path).toEqual([])
    }
  })

  it('adapters import only the core’s public contract, the error type and the logger from src/', () => {
    const allowed = ['src/core/types.ts', 'src/core/bot-core.ts', 'src/core/platform-adapter.ts', 'src/bot-error.ts', 'src/logger.ts']
    const adapters = files.filter((file) => file.path.startsWith('adapters/'))
    expect(adapters.length).toBeGreaterThan(60)
    for (const file of adapters) {
      expect(imports(file.text).map((name) => target(file.path, name) ?? '').filter((path) => path.startsWith('src/') && !allowed.includes(path)), file.path).toEqual([])
    }
  })

  it('a platform’s adapter imports no other platform’s folder (the console reads Slack exports with Slack’s message reader)', () => {
    const platformOf = (path: string) => /^adapters\/([^/]+)\//.exec(path)?.[1]
    for (const file of files.filter((each) => platformOf(each.path))) {
      const crossing = imports(file.text)
        .map((name) => target(file.path, name) ?? '')
        .filter((path) => platformOf(path) && platformOf(path) !== platformOf(file.path))
        .filter((path) => !(file.path.startsWith('adapters/console/') && path === 'adapters/slack/slack-message-text.ts'))
      expect(crossing, file.path).toEqual([])
    }
  })

  it('the composition root lists the adapters in one place and otherwise knows them only as PlatformAdapter', () => {
    const root = files.filter((file) => file.path.startsWith('app/'))
    const importingAdapters = root.filter((file) => imports(file.text).some((name) => (target(file.path, name) ?? '').startsWith('adapters/')))
    expect(importingAdapters.map((file) => file.path)).toEqual(['app/discord-shards.ts', 'app/platform-adapters.ts'])
    // Each adapter it lists is reached through its PlatformAdapter factory, never its insides.
    const listed = imports(root.find((file) => file.path === 'app/platform-adapters.ts')!.text).filter((name) => name.includes('/adapters/'))
    expect(listed.map((name) => name.replace(/^.*\/adapters\//, ''))).toEqual(['console/console-adapter.js', 'discord/discord-adapter.js', 'slack/slack-adapter.js'])
    expect(readFileSync('app/main.ts', 'utf8')).toMatch(/for \(const adapter of platformAdapters\(/)
  })

  it('the core’s rooms import only rooms below them; the public contract at the top of src/core imports only identity', () => {
    // Bottom to top. The contract (types.ts, bot-core.ts, platform-adapter.ts) is plain data every room may name.
    const floors = [['identity', 'style', 'prompting'], ['coordination'], ['records'], ['budget', 'safety'], ['compose', 'observe'], ['learning', 'members', 'admin']]
    const contract = ['src/core/types.ts', 'src/core/bot-core.ts', 'src/core/platform-adapter.ts']
    const roomOf = (path: string) => /^src\/core\/([^/]+)\//.exec(path)?.[1]
    const floorOf = (room: string) => floors.findIndex((each) => each.includes(room))
    const core = files.filter((file) => file.path.startsWith('src/core/'))
    for (const file of core.filter((each) => roomOf(each.path))) {
      const room = roomOf(file.path)!
      expect(floorOf(room), `${room} is on a floor`).toBeGreaterThanOrEqual(0)
      const upward = imports(file.text)
        .map((name) => target(file.path, name) ?? '')
        .filter((path) => path.startsWith('src/core/') && !contract.includes(path))
        .filter((path) => roomOf(path) !== room && !(roomOf(path) && floorOf(roomOf(path)!) < floorOf(room)))
      expect(upward, file.path).toEqual([])
    }
    for (const file of core.filter((each) => contract.includes(each.path))) {
      const reached = imports(file.text).map((name) => target(file.path, name) ?? '').filter((path) => path.startsWith('src/'))
      expect(reached.filter((path) => !contract.includes(path) && !path.startsWith('src/core/identity/')), file.path).toEqual([])
    }
  })

  it('each platform SDK is imported only by its own adapter', () => {
    expect(importing(/^@slack\//).every((path) => path.startsWith('adapters/slack/'))).toBe(true)
    expect(importing(/^(discord\.js|@discordjs\/)/).every((path) => path.startsWith('adapters/discord/'))).toBe(true)
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
