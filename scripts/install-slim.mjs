// `npm run install:slim [-- --omit=dev]`: a CPU-only install. Like `npm ci`, but of node-llama-cpp's prebuilt binaries
// only the CPU build for this platform is installed (no CUDA/Vulkan builds: ~240 MB instead of ~920 MB here).
// Plain Node with no dependencies, because it runs before node_modules exists. Never edits package.json or the lockfile.
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const args = process.argv.slice(2)
const dryRun = args.includes('--dry-run')
/** `--verify-only --verify-model F`: check an existing install without installing again. */
const verifyOnly = args.includes('--verify-only')
const verifyModel = valueOf('--verify-model')
const ownFlags = new Set(['--dry-run', '--verify-only', '--verify-model'])
const passThrough = args.filter((arg, index) => !ownFlags.has(arg) && args[index - 1] !== '--verify-model')

const omitsDev = passThrough.includes('--omit=dev') || passThrough.includes('--production')
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const platform = { os: process.platform, cpu: process.arch, libc: detectLibc() }
const llamaCpuBuild = new RegExp(`^@node-llama-cpp/${{ linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform] ?? process.platform}-${process.arch}(-metal)?$`)

// Platform binaries (packages that declare os/cpu/libc) that a full install would put on this machine, minus GPU builds.
const wanted = Object.entries(lock.packages ?? {})
  .filter(([location, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(location) && entry.optional && (entry.os || entry.cpu || entry.libc))
  .map(([location, entry]) => ({ name: location.slice('node_modules/'.length), entry }))
  .filter(({ entry }) => matches(entry.os, platform.os) && matches(entry.cpu, platform.cpu) && (platform.os !== 'linux' || matches(entry.libc, platform.libc)))
  .filter(({ name }) => !name.startsWith('@node-llama-cpp/') || llamaCpuBuild.test(name))
  .filter(({ entry }) => !(omitsDev && entry.dev))
  .map(({ name, entry }) => `${name}@${entry.version}`)

if (!wanted.some((spec) => spec.startsWith('@node-llama-cpp/'))) {
  console.error(`No CPU build of node-llama-cpp for ${platform.os}-${platform.cpu}; use a full \`npm ci\` instead.`)
  process.exit(1)
}
if (!verifyOnly) {
  run(['ci', '--omit=optional', ...passThrough])
  run(['install', '--no-save', '--omit=optional', ...passThrough, ...wanted])
}
if (verifyModel) verify(verifyModel)

function run(npmArgs) {
  console.error(`> npm ${npmArgs.join(' ')}`)
  if (!dryRun) execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', npmArgs, { stdio: 'inherit' })
}

/** Loads the installed CPU build and runs a JSON-schema-constrained generation on the given model file. */
function verify(modelPath) {
  const script = `
    const { getLlama, LlamaChat } = await import('node-llama-cpp')
    const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, maxThreads: 1, progressLogs: false })
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(path.resolve(modelPath))}, gpuLayers: 0 })
    const context = await model.createContext({ contextSize: 1024, threads: 1 })
    const grammar = await llama.createGrammarForJsonSchema({ type: 'object', properties: { decision: { enum: ['comply', 'refuse'] } } })
    const chat = new LlamaChat({ contextSequence: context.getSequence() })
    const { response } = await chat.generateResponse([{ type: 'user', text: 'Decide.' }, { type: 'model', response: [] }], { grammar, maxTokens: 600, temperature: 0 })
    const parsed = JSON.parse(response)
    if (!['comply', 'refuse'].includes(parsed.decision)) throw new Error('unexpected output ' + response)
    console.log('slim install OK: ' + llama.buildType + ' build, gpu ' + llama.gpu + ', output ' + response.replace(/\\s+/g, ' '))
    await llama.dispose()
  `
  console.error('> verifying the embedded model on', modelPath)
  if (dryRun) return
  // A file inside node_modules resolves the package like the app does (and `node -e` flags would leak into the
  // library's own binary-test child process and break it).
  const file = path.join('node_modules', '.install-slim-check.mjs')
  writeFileSync(file, script)
  try {
    execFileSync(process.execPath, [file], { stdio: 'inherit' })
  } finally {
    rmSync(file, { force: true })
  }
}

function matches(list, value) {
  if (!list || list.length === 0) return true
  if (list.includes(`!${value}`)) return false
  const allowed = list.filter((item) => !item.startsWith('!'))
  return allowed.length === 0 || allowed.includes(value)
}

function detectLibc() {
  if (process.platform !== 'linux') return undefined
  return process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl'
}

function valueOf(flag) {
  const index = args.indexOf(flag)
  return index === -1 ? undefined : args[index + 1]
}
