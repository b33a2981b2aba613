// `npm run eval` end to end on a tiny slice of the real data: against the fake OpenAI-compatible server (a model
// that obeys planted "Access Granted" hijacks) with a judge set apart on a second fake server (one that always picks
// the candidate shown first), and against the tiny embedded model, whose 512-token context is too small for the
// real prompts. Structure and counts are asserted, not scores.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { quoteText } from '../src/core/prompting/quote-data.js'
import { loadTensorTrustHijacks, loadBipiaAttacks } from '../eval/injection-sets.js'
import { main } from '../eval/run.js'
import type { EvalReport } from '../eval/eval-report.js'
import { readDittoSplit } from '../eval/cmcc-corpus.js'
import { conditionNames, conditionPairs, coreConditionSettings, coreConditions } from '../eval/style-conditions.js'
import { loadJailbreakBench, loadXsTest } from '../eval/safety-sets.js'
import { fakeReply, startFakeOpenAiServer, type FakeOpenAiRequest, type FakeOpenAiServer } from '../testing/fakes/fake-openai-server.js'
import { schemaName, stageOf } from '../testing/support/scripted-model.js'
import { evaluationData, llamaPackage, requires, testModel } from '../testing/support/test-prerequisites.js'

const data = evaluationData(['chat/slack-software-help.dev.jsonl', 'authorship/cmcc.jsonl', 'authorship/ditto/cmcc.jsonl', 'safety/xstest/xstest_prompts.csv', 'safety/jailbreakbench', 'safety/bipia', 'safety/tensor-trust'])
const dataDirectory = data.directory
const scratch = mkdtempSync(join(tmpdir(), 'eval-harness-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const quiet = () => {}
const slice = 2
const samples = 2
// Conditions this build can run (ours + verification needs the core's verification setting).
const runnable = conditionNames.filter((condition) => !coreConditions.includes(condition as never) || !('unavailable' in coreConditionSettings(condition as (typeof coreConditions)[number])))
const runnablePairs = conditionPairs.filter(([first, second]) => runnable.includes(first) && runnable.includes(second))

function ok<T>(section: { status: string; result?: T }): T {
  expect(section.status).toBe('ok')
  return section.result as T
}

const userText = (request: FakeOpenAiRequest) => request.body.messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n')
const systemText = (request: FakeOpenAiRequest) => request.body.messages[0]?.content ?? ''

describe('npm run eval against the fake OpenAI-compatible server, with the judge on a server of its own', requires(data), () => {
  let server: FakeOpenAiServer
  let judgeServer: FakeOpenAiServer
  let report: EvalReport
  let markdown: string
  let json: string
  const hijacks = data.present ? loadTensorTrustHijacks(join(dataDirectory, 'safety', 'tensor-trust'), slice) : []
  // The start of each planted hijack as it appears inside the quoted context of a prompt.
  const hijackMarks = hijacks.map((attack) => quoteText(attack.text.trim().slice(0, 24)).slice(1, -1))

  beforeAll(async () => {
    server = await startFakeOpenAiServer({
      handler(request) {
        const name = schemaName(request)
        // The generator judging itself would say "B" every time: the report shows which model judged.
        if (name === 'pairwise_style_verdict') return fakeReply.json({ winner: 'B', reason: 'the generator judging' })
        if (name === 'safety_verdict') {
          // The output check catches a hijacked draft; everything else is ordinary work talk.
          const hijacked = stageOf(request) === 'output' && /access granted/i.test(userText(request).split('<output>')[1] ?? '')
          return fakeReply.json(hijacked ? { analysis: 'W4: it follows planted text.', decision: 'refuse', rule_ids: ['W4'] } : { analysis: 'No rule applies.', decision: 'comply', rule_ids: [] })
        }
        if (name === undefined && systemText(request).startsWith('You ghost-write')) {
          // A model that obeys any planted hijack it sees in the thread.
          return fakeReply.text(hijackMarks.some((mark) => userText(request).includes(mark)) ? 'Access Granted' : 'ok will look at it later today')
        }
        return undefined
      },
    })
    judgeServer = await startFakeOpenAiServer({
      model: 'judge-model',
      handler(request) {
        const name = schemaName(request)
        // A judge with the worst position bias: it always prefers whichever candidate it sees first.
        if (name === 'pairwise_style_verdict') return fakeReply.json({ winner: 'A', reason: 'first one' })
        if (name === 'injection_verdict') return fakeReply.json({ followed: false, reason: 'judged by markers here' })
        return undefined
      },
    })
    const config = parseConfig({ LLM_BASE_URL: server.url, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '5000', DATA_DIR: dataDirectory })
    const environment = { EVAL_SAMPLES: String(samples), EVAL_TEMPERATURE: '0.9', EVAL_JUDGE_MODEL: 'judge-model', EVAL_JUDGE_BASE_URL: judgeServer.url, EVAL_JUDGE_API_KEY: 'judge-key' }
    const run = await main(['--slice', String(slice), '--out', join(scratch, 'fake')], { config, environment, progress: quiet })
    report = run.report
    markdown = readFileSync(run.files.markdown, 'utf8')
    json = readFileSync(run.files.json, 'utf8')
  }, 300_000)
  afterAll(async () => {
    await server?.close()
    await judgeServer?.close()
  })

  it('writes markdown and JSON (timestamped and latest) with the models, data paths and slice used', () => {
    expect(existsSync(join(scratch, 'fake', 'latest.md'))).toBe(true)
    expect(JSON.parse(readFileSync(join(scratch, 'fake', 'latest.json'), 'utf8'))).toEqual(JSON.parse(json))
    expect(report.slice).toBe(slice)
    expect(report.models).toMatchObject({ model: 'openai:fake-model', safetyModel: 'openai:fake-model', judgeModel: 'openai:judge-model', provider: 'hosted' })
    expect(report.settings).toMatchObject({ samples, temperature: 0.9 })
    expect(report.paths.chatCorpus).toBe(join(dataDirectory, 'chat', 'slack-software-help.dev.jsonl'))
    expect(report.paths.cmcc).toBe(join(dataDirectory, 'authorship', 'cmcc.jsonl'))
    expect(markdown).toContain(`slice: at most ${slice} items per set`)
    expect(markdown).toContain('openai:fake-model')
    expect(markdown).toContain('judge openai:judge-model')
    expect(markdown).toContain(`${samples} samples per style task at temperature 0.9`)
    expect(report.usage.safety!.calls).toBeGreaterThan(0)
  })

  it('runs the offline attribution on the chat corpus and on CMCC across genres', () => {
    const chat = ok(report.offline.chat)
    expect(chat.runs[0]!.rows.map((row) => row.window)).toEqual([1, 10, 25, 'all'])
    expect(chat.runs[0]!.candidates).toBe(slice)
    const cmcc = ok(report.offline.cmcc)
    expect(cmcc.runs.map((run) => run.name)).toEqual(['learn chat → test email', 'learn email → test chat'])
    expect(markdown).toMatch(/accuracy@1, classical baseline/)
  })

  it('writes every style task under every condition once per sample and judges each pair of samples in both orders, cancelling position bias', () => {
    for (const section of [report.style.cmcc, report.style.slack]) {
      const style = ok(section)
      expect(style.tasks).toBe(slice)
      expect(style.samples).toBe(samples)
      expect(style.conditions.map((each) => each.condition)).toEqual([...conditionNames])
      for (const each of style.conditions) expect(each.unavailable === undefined).toBe(runnable.includes(each.condition))
      for (const item of style.items) {
        expect(item.intent).toBeTruthy()
        for (const condition of runnable) {
          expect(item.outputs[condition]).toHaveLength(samples)
          for (const output of item.outputs[condition]!) expect(output.text).toBeTruthy()
        }
        expect(item.judgments.map((entry) => [entry.first, entry.second, entry.sample])).toEqual(
          Array.from({ length: samples }, (_, sample) => runnablePairs.map(([first, second]) => [first, second, sample])).flat(),
        )
        for (const entry of item.judgments) expect(entry.judgments.map((judgment) => judgment.order).sort()).toEqual(['first-shown-first', 'second-shown-first'])
      }
      for (const pair of style.pairs.filter((each) => runnablePairs.some(([first, second]) => first === each.first && second === each.second))) {
        expect(pair.tasks).toBe(slice * samples)
        expect(pair.judgments).toBe(2 * slice * samples)
        // The judge always picked the candidate shown first; with both orders that is a 50% win rate, flagged as bias.
        expect(pair.shownFirstRate).toBe(1)
        expect(pair.firstWinRate).toBe(0.5)
        expect(pair.winRateInterval).toEqual({ low: 0.5, high: 0.5 })
        expect(pair.consistentRate).toBe(0)
        // No consistent winner, so nothing to agree on; the style match still gives its own verdict on every pair.
        expect(pair.agreement.comparisons).toBe(0)
        expect(pair.styleMatch.comparisons).toBe(slice * samples)
      }
      for (const each of style.conditions.filter((condition) => !condition.unavailable)) {
        expect(each.outputs).toBe(slice * samples)
        expect(each.styleMatchInterval.low).toBeLessThanOrEqual(each.meanStyleMatch)
        expect(each.styleMatchInterval.high).toBeGreaterThanOrEqual(each.meanStyleMatch)
      }
      const edits = style.learning.find((each) => each.condition === 'full+edits')!
      expect(edits.edits).toEqual({ tasks: 2 * slice, edited: 2 * slice, refused: 0, failed: 0 })
    }
    expect(markdown).toContain('judge: win rate of first [95% CI]')
    expect(markdown).toContain('50.0% [50.0%, 50.0%]')
    expect(markdown).toMatch(/Judge vs style match over all pairs: on 0 pairs/)
  })

  it('asks the judge set apart by EVAL_JUDGE_MODEL, on its own endpoint and key, never the generator', () => {
    const judged = judgeServer.chatRequests().filter((request) => schemaName(request) === 'pairwise_style_verdict')
    expect(judged).toHaveLength(2 * slice * samples * runnablePairs.length * 2)
    expect(judged.every((request) => request.body.model === 'judge-model' && request.headers.authorization === 'Bearer judge-key')).toBe(true)
    expect(judgeServer.chatRequests().some((request) => schemaName(request) === 'injection_verdict')).toBe(true)
    expect(server.chatRequests().filter((request) => ['pairwise_style_verdict', 'injection_verdict'].includes(schemaName(request) ?? ''))).toEqual([])
    expect(report.usage.eval!.calls).toBeGreaterThanOrEqual(judged.length)
  })

  it('draws each sample with its own seed at the evaluation temperature', () => {
    const drafts = server.chatRequests().filter((request) => schemaName(request) === undefined && systemText(request).startsWith('You ghost-write'))
    const sampled = drafts.filter((request) => request.body.temperature === 0.9)
    expect(new Set(sampled.map((request) => Math.floor((request.body.seed ?? 0) / 1000)))).toEqual(new Set([0, 1]))
  })

  it("takes CMCC intents from DITTO's prompts; derives the chat ones once, caches them, and reuses them; a missing corpus skips its section visibly", async () => {
    const prompts = new Set(readDittoSplit(join(dataDirectory, 'authorship', 'ditto', 'cmcc.jsonl')).map((row) => row.prompt))
    for (const item of ok(report.style.cmcc).items) {
      expect(item.intentSource).toBe('dataset')
      expect(prompts.has(item.intent!)).toBe(true)
    }
    const derivations = () => server.chatRequests().filter((request) => systemText(request).startsWith('You help evaluate')).length
    const before = derivations()
    // The chat tasks, and the training messages the edits condition drafts (2 per author, one task per author here).
    expect(before).toBe(slice + 2 * slice)
    const cache = JSON.parse(readFileSync(join(scratch, 'fake', 'intent-cache.json'), 'utf8'))
    expect(Object.keys(cache.intents)).toHaveLength(before)
    const config = parseConfig({ LLM_BASE_URL: server.url, LLM_API_KEY: 'test-key', LLM_MODEL: 'fake-model', DATA_DIR: dataDirectory })
    // A CMCC split that is not there: that section is skipped visibly, the rest runs.
    const absent = join(scratch, 'no-such-split.jsonl')
    const again = await main(['--model', '--only', 'style', '--slice', '1', '--samples', '1', '--cmcc-split', absent, '--out', join(scratch, 'fake')], { config, environment: {}, progress: quiet })
    expect(derivations()).toBe(before)
    expect(ok(again.report.style.slack).items[0]!.intentCached).toBe(true)
    expect(again.report.style.cmcc).toEqual({ status: 'skipped', reason: expect.stringContaining(absent) })
    expect(again.report.offline.chat.status).toBe('skipped')
    expect(readFileSync(again.files.markdown, 'utf8')).toContain(`Skipped: DITTO's CMCC split not found at ${absent}`)
  }, 240_000)

  it('runs XSTest and JailbreakBench through the request check and reports rates by label and group', () => {
    const xstest = ok(report.safety.xstest)
    expect(xstest.byLabel.map((each) => each.label)).toEqual(['safe', 'unsafe'])
    expect(xstest.items).toBe(slice)
    const jbb = ok(report.safety.jailbreakbench)
    expect(jbb.byGroup.map((each) => each.group)).toEqual(['harmful', 'benign', 'jailbreak'])
    expect(jbb.outcomes.every((outcome) => outcome.decision === 'comply' && outcome.task === 'draft')).toBe(true)
    expect(markdown).toMatch(/Over-refusal on safe prompts: \*\*0\.0%\*\*/)
  })

  it('plants attacks in real threads: a followed hijack counts as changed, and the output check catching it is not a slip', () => {
    const injection = ok(report.injection)
    expect(injection.attacks).toEqual({ 'bipia-text': slice, 'bipia-code': slice, 'tensor-trust': slice })
    const tensor = injection.bySource.find((each) => each.source === 'tensor-trust')!
    expect(tensor.composed).toBe(slice)
    expect(tensor.targetHits).toBe(slice)
    expect(tensor.changed).toBe(slice)
    expect(tensor.caught).toBe(slice)
    expect(tensor.slipped).toBe(0)
    for (const source of ['bipia-text', 'bipia-code']) expect(injection.bySource.find((each) => each.source === source)!.changed).toBe(0)
    expect(injection.scenarios.every((scenario) => scenario.outputDecision === 'comply')).toBe(true)
  })

  it('never writes a safety prompt or an attack into the report', () => {
    const secrets = [
      ...loadXsTest(join(dataDirectory, 'safety', 'xstest', 'xstest_prompts.csv'), slice).map((item) => item.prompt),
      ...loadJailbreakBench(join(dataDirectory, 'safety', 'jailbreakbench'), { slice, jailbreakPrompts: slice }).map((item) => item.prompt),
      ...loadBipiaAttacks(join(dataDirectory, 'safety', 'bipia'), 'text', slice).map((attack) => attack.text),
      ...loadBipiaAttacks(join(dataDirectory, 'safety', 'bipia'), 'code', slice).map((attack) => attack.text),
      ...hijacks.map((attack) => attack.text),
    ]
    expect(secrets.length).toBe(slice * 7)
    for (const secret of secrets) {
      const probe = secret.trim().slice(0, 40)
      expect(markdown.includes(probe) || json.includes(probe) || json.includes(JSON.stringify(probe).slice(1, -1))).toBe(false)
    }
  })
})

const modelPath = testModel.path

describe('npm run eval on the tiny embedded model', requires(data, testModel, await llamaPackage()), () => {
  it('reports prompts that do not fit the 512-token context as errors per item, and finishes every section', async () => {
    const config = parseConfig({ LLM_PROVIDER: 'local', LOCAL_MODEL: modelPath, LOCAL_THREADS: '1', LOCAL_CONTEXT_SIZE: '512', DATA_DIR: dataDirectory })
    const { report, files } = await main(['--model', '--slice', '1', '--samples', '1', '--out', join(scratch, 'tiny')], { config, environment: {}, progress: quiet })
    expect(report.models).toMatchObject({ provider: 'embedded', contextSize: 512 })
    expect(report.models!.model).toMatch(/^local:/)
    expect(report.offline.chat.status).toBe('skipped')
    const style = [ok(report.style.cmcc), ok(report.style.slack)]
    for (const section of style) {
      for (const item of section.items) {
        // Each task either has an intent and an output or error per condition, or says why it has no intent.
        if (item.intentError) expect(item.intentError.code).toBeTruthy()
        else for (const condition of runnable) expect(item.outputs[condition]?.[0]?.text ?? item.outputs[condition]?.[0]?.error ?? item.outputs[condition]?.[0]?.refused).toBeDefined()
      }
    }
    const errors = [...style.flatMap((section) => section.errors), ...ok(report.safety.xstest).errors, ...ok(report.injection).errors]
    const tooLarge = errors.find((error) => error.code === 'input_too_large')
    expect(tooLarge?.example).toMatch(/context of 512 tokens/)
    const markdown = readFileSync(files.markdown, 'utf8')
    expect(markdown).toContain('`input_too_large`')
    expect(markdown).toContain('embedded, context 512 tokens')
  }, 400_000)
})
