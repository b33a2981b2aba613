// A tiny zip writer for tests: builds an archive in memory from a folder or a list of entries, each stored or
// deflated, with the local headers, central directory and end record the format defines. Test support only.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { crc32, deflateRawSync } from 'node:zlib'

export type ZipEntry = { name: string; data: Buffer; method?: 'stored' | 'deflate' }

/** Every file under `directory`, named by its path relative to `under` (default: the directory itself). */
export function zipEntriesOf(directory: string, under = directory): ZipEntry[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name): ZipEntry[] => {
      const path = join(directory, name)
      if (statSync(path).isDirectory()) return zipEntriesOf(path, under)
      return [{ name: relative(under, path).split(sep).join('/'), data: readFileSync(path) }]
    })
}

/** `zip64` writes every size and offset in the zip64 fields, as archivers do past 4 GB or 65,535 entries. */
export function writeZip(entries: ZipEntry[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  const large = options.zip64 === true
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const method = entry.method ?? 'deflate'
    const body = method === 'deflate' ? deflateRawSync(entry.data) : entry.data
    const checksum = crc32(entry.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(method === 'deflate' ? 8 : 0, 8)
    local.writeUInt32LE(0, 10) // time and date
    local.writeUInt32LE(checksum, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(entry.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, body)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(45, 4) // version made by
    central.writeUInt16LE(large ? 45 : 20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(method === 'deflate' ? 8 : 0, 10)
    central.writeUInt32LE(0, 12)
    central.writeUInt32LE(checksum, 16)
    central.writeUInt32LE(large ? 0xffffffff : body.length, 20)
    central.writeUInt32LE(large ? 0xffffffff : entry.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(large ? 0xffffffff : offset, 42)
    // The zip64 extra field: uncompressed size, compressed size, local header offset, each 8 bytes.
    const extra = Buffer.alloc(large ? 28 : 0)
    if (large) {
      extra.writeUInt16LE(0x0001, 0)
      extra.writeUInt16LE(24, 2)
      extra.writeBigUInt64LE(BigInt(entry.data.length), 4)
      extra.writeBigUInt64LE(BigInt(body.length), 12)
      extra.writeBigUInt64LE(BigInt(offset), 20)
    }
    central.writeUInt16LE(extra.length, 30)
    centrals.push(central, name, extra)
    offset += local.length + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const tail: Buffer[] = []
  if (large) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4) // size of the rest of this record
    record.writeUInt16LE(45, 12)
    record.writeUInt16LE(45, 14)
    record.writeBigUInt64LE(BigInt(entries.length), 24)
    record.writeBigUInt64LE(BigInt(entries.length), 32)
    record.writeBigUInt64LE(BigInt(directory.length), 40)
    record.writeBigUInt64LE(BigInt(offset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8)
    locator.writeUInt32LE(1, 16)
    tail.push(record, locator)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(large ? 0xffff : entries.length, 8)
  end.writeUInt16LE(large ? 0xffff : entries.length, 10)
  end.writeUInt32LE(large ? 0xffffffff : directory.length, 12)
  end.writeUInt32LE(large ? 0xffffffff : offset, 16)
  return Buffer.concat([...locals, directory, ...tail, end])
}
