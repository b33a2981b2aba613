// `npm run test:fetch-model` against a real HTTP file server on 127.0.0.1: the tiny test model arrives verified by
// its sha256 where TEST_MODEL_PATH looks by default; a wrong file is never installed and the manual route is shown.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig, testModelLocations } from '../src/config.js'
import { fetchTestModel, testModel } from '../src/llm/test-model-download.js'
import { requires, testModel as sharedTestModel } from '../testing/support/test-prerequisites.js'

/** Stands in for the GGUF file: deterministic bytes and their checksum. */
const fileBytes = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 31 + 7) & 0xff))
const fileSha256 = createHash('sha256').update(fileBytes).digest('hex')

class Collect extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.text += chunk.toString()
    callback()
  }
}

let server: Server
let url: string
let served: Buffer
let directory: string
beforeEach(async () => {
  served = fileBytes
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': String(served.length), 'content-type': 'application/octet-stream' })
    response.end(served)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tinyllamas/stories260K.gguf`
  directory = await mkdtemp(path.join(tmpdir(), 'test-model-'))
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await rm(directory, { recursive: true, force: true })
})

describe('npm run test:fetch-model', () => {
  it('downloads the test model verified by sha256 to models/test/, where TEST_MODEL_PATH looks when unset', async () => {
    const output = new Collect()
    const previous = process.cwd()
    process.chdir(directory)
    try {
      expect(parseConfig({}).TEST_MODEL_PATH).toBe(testModelLocations[0]) // nothing there yet: the fetch target is named
      const outcome = await fetchTestModel({ source: { url, sha256: fileSha256, sizeBytes: fileBytes.length }, output })
      expect(outcome).toEqual({ status: 'downloaded', path: 'models/test/stories260K.gguf' })
      expect(await readFile('models/test/stories260K.gguf')).toEqual(fileBytes)
      expect(output.text).toContain('sha256 verified')
      expect(parseConfig({}).TEST_MODEL_PATH).toBe('models/test/stories260K.gguf')

      // A second run finds the verified file and downloads nothing.
      const again = await fetchTestModel({ source: { url: 'http://127.0.0.1:9/unreachable', sha256: fileSha256 }, output })
      expect(again.status).toBe('present')
    } finally {
      process.chdir(previous)
    }
  })

  it('a file whose sha256 differs is not installed, and the message gives the URL and TEST_MODEL_PATH to do it by hand', async () => {
    served = Buffer.concat([fileBytes.subarray(0, 1000), Buffer.alloc(fileBytes.length - 1000, 0)])
    const destination = path.join(directory, 'models', 'test', 'stories260K.gguf')
    const output = new Collect()
    const outcome = await fetchTestModel({ destination, source: { url, sha256: fileSha256, sizeBytes: fileBytes.length }, output })

    expect(outcome.status).toBe('failed')
    expect(existsSync(destination)).toBe(false)
    expect(existsSync(`${destination}.partial`)).toBe(false)
    expect(output.text).toContain(`but ${fileSha256} was expected`)
    expect(output.text).toContain(`download ${url}`)
    expect(output.text).toContain('TEST_MODEL_PATH=<that file>')
  })

  it('replaces a file at the destination that is not the pinned one', async () => {
    const destination = path.join(directory, 'stories260K.gguf')
    await mkdir(directory, { recursive: true })
    await writeFile(destination, 'not a model')
    const outcome = await fetchTestModel({ destination, source: { url, sha256: fileSha256 }, output: new Collect() })
    expect(outcome.status).toBe('downloaded')
    expect((await stat(destination)).size).toBe(fileBytes.length)
  })

  it('pins the public source to a revision, with the size and sha256 of the shared copy of stories260K.gguf', requires(sharedTestModel), () => {
    expect(testModel.url).toMatch(/^https:\/\/huggingface\.co\/ggml-org\/[\w-]+\/resolve\/[0-9a-f]{40}\/tinyllamas\/stories260K\.gguf$/)
    const bytes = readFileSync(sharedTestModel.path)
    expect(bytes.length).toBe(testModel.sizeBytes)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(testModel.sha256)
  })
})
