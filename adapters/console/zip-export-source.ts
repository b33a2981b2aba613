// Reads the .zip Slack gives you without unzipping it: the central directory at the end of the file, then each
// entry on demand (stored or deflated, zip64 sizes too), so memory holds one bounded file at a time, never the zip.
import { open, type FileHandle } from 'node:fs/promises'
import { basename } from 'node:path'
import { crc32, inflateRawSync } from 'node:zlib'
import { BotError } from '../../src/bot-error.js'
import { tooLarge, type ExportSource } from './export-source.js'

type Entry = { name: string; method: number; encrypted: boolean; crc: number; compressedSize: number; size: number; localOffset: number }

const endSignature = 0x06054b50
const zip64LocatorSignature = 0x07064b50
const zip64EndSignature = 0x06064b50
const centralSignature = 0x02014b50
const localSignature = 0x04034b50
/** A central directory this large would describe millions of files; no Slack export has one. */
const maxCentralDirectoryBytes = 256 * 1024 * 1024

export async function openZipExport(path: string): Promise<ExportSource> {
  const handle = await open(path, 'r')
  try {
    const entries = await readCentralDirectory(handle, basename(path))
    // Slack zips the export's files at the root; a re-zipped folder puts them one level down.
    const roots = entries.filter((entry) => entry.name === 'channels.json' || entry.name.endsWith('/channels.json')).map((entry) => entry.name.slice(0, -'channels.json'.length))
    if (!roots.length) throw new BotError('input_invalid', `${basename(path)} is not a Slack export: it has no channels.json.`)
    const prefix = roots.sort((a, b) => a.length - b.length)[0]!
    const byPath = new Map(entries.filter((entry) => entry.name.startsWith(prefix) && !entry.name.endsWith('/')).map((entry) => [entry.name.slice(prefix.length), entry]))
    const name = prefix ? prefix.replace(/\/$/, '').split('/').at(-1)! : basename(path).replace(/\.zip$/i, '')
    return {
      name,
      files: [...byPath.keys()].filter((file) => file.split('/').length <= 2).sort(),
      read: (file, maxBytes) => readEntry(handle, byPath.get(file)!, maxBytes),
      close: () => handle.close(),
    }
  } catch (error) {
    await handle.close()
    throw error
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

async function readCentralDirectory(handle: FileHandle, name: string): Promise<Entry[]> {
  const damaged = (why: string) => new BotError('input_invalid', `${name} is not a readable zip file (${why}; is the download complete?)`)
  const { size } = await handle.stat()
  const tailLength = Math.min(size, 22 + 0xffff)
  const tail = await readAt(handle, size - tailLength, tailLength)
  let end = -1
  for (let index = tail.length - 22; index >= 0; index--) {
    if (tail.readUInt32LE(index) === endSignature) {
      end = index
      break
    }
  }
  if (end < 0) throw damaged('no central directory')
  let count = tail.readUInt16LE(end + 10)
  let directorySize = tail.readUInt32LE(end + 12)
  let directoryOffset = tail.readUInt32LE(end + 16)
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    // Zip64: the real figures are in a record the locator just before the end record points at.
    const locator = end - 20
    if (locator < 0 || tail.readUInt32LE(locator) !== zip64LocatorSignature) throw damaged('no zip64 locator')
    const record = await readAt(handle, Number(tail.readBigUInt64LE(locator + 8)), 56)
    if (record.length < 56 || record.readUInt32LE(0) !== zip64EndSignature) throw damaged('no zip64 end record')
    count = Number(record.readBigUInt64LE(32))
    directorySize = Number(record.readBigUInt64LE(40))
    directoryOffset = Number(record.readBigUInt64LE(48))
  }
  if (directoryOffset + directorySize > size || directorySize > maxCentralDirectoryBytes) throw damaged('the central directory lies outside the file')
  const directory = await readAt(handle, directoryOffset, directorySize)
  const entries: Entry[] = []
  let offset = 0
  for (let index = 0; index < count; index++) {
    if (offset + 46 > directory.length || directory.readUInt32LE(offset) !== centralSignature) throw damaged('a damaged central directory')
    const flags = directory.readUInt16LE(offset + 8)
    const nameLength = directory.readUInt16LE(offset + 28)
    const extraLength = directory.readUInt16LE(offset + 30)
    const commentLength = directory.readUInt16LE(offset + 32)
    const entry: Entry = {
      name: directory.toString('utf8', offset + 46, offset + 46 + nameLength).replace(/\\/g, '/'),
      method: directory.readUInt16LE(offset + 10),
      encrypted: (flags & 1) === 1,
      crc: directory.readUInt32LE(offset + 16),
      compressedSize: directory.readUInt32LE(offset + 20),
      size: directory.readUInt32LE(offset + 24),
      localOffset: directory.readUInt32LE(offset + 42),
    }
    readZip64Extra(directory.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength), entry)
    entries.push(entry)
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** Sizes and offsets too large for 32 bits are in the zip64 extra field, in this order, only where they overflowed. */
function readZip64Extra(extra: Buffer, entry: Entry) {
  for (let offset = 0; offset + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(offset)
    const length = extra.readUInt16LE(offset + 2)
    if (id === 0x0001) {
      let field = offset + 4
      const next = () => {
        const value = field + 8 <= offset + 4 + length ? Number(extra.readBigUInt64LE(field)) : undefined
        field += 8
        return value
      }
      if (entry.size === 0xffffffff) entry.size = next() ?? entry.size
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize
      if (entry.localOffset === 0xffffffff) entry.localOffset = next() ?? entry.localOffset
      return
    }
    offset += 4 + length
  }
}

async function readEntry(handle: FileHandle, entry: Entry, maxBytes: number) {
  if (entry.encrypted) return { problem: 'is encrypted in the zip; unzip it and import the folder' }
  if (entry.size > maxBytes) return { problem: tooLarge(entry.size, maxBytes) }
  if (entry.method !== 0 && entry.method !== 8) return { problem: `is compressed with zip method ${entry.method}, which is not read here; unzip it and import the folder` }
  const header = await readAt(handle, entry.localOffset, 30)
  if (header.length < 30 || header.readUInt32LE(0) !== localSignature) return { problem: 'is damaged in the zip (no local header)' }
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  // A deflated entry is never larger than its data plus a small overhead; beyond that the directory lies.
  if (entry.compressedSize > maxBytes + 1024) return { problem: tooLarge(entry.compressedSize, maxBytes) }
  const body = await readAt(handle, start, entry.compressedSize)
  if (body.length < entry.compressedSize) return { problem: 'is cut short in the zip' }
  let data: Buffer
  try {
    // The output bound stops a zip bomb whose directory understates the size.
    data = entry.method === 0 ? body : inflateRawSync(body, { maxOutputLength: maxBytes })
  } catch (error) {
    return { problem: error instanceof RangeError ? `inflates past the ${Math.round(maxBytes / (1024 * 1024))} MB one file of an export may be` : 'is damaged in the zip (it does not inflate)' }
  }
  if (crc32(data) !== entry.crc) return { problem: 'is damaged in the zip (its checksum does not match)' }
  return { data }
}
