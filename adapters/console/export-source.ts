// The files of a Slack export, wherever they are: an unzipped folder or the .zip Slack hands out. Paths are relative
// to the export's root ("channels.json", "general/2016-01-14.json"); a read is bounded and says what went wrong.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

export type ExportRead = { data: Buffer } | { problem: string }

export interface ExportSource {
  /** The export's own name (its folder or zip file), for the operator. */
  readonly name: string
  /** Every file, as a path relative to the export root with `/` between parts. */
  readonly files: readonly string[]
  read(path: string, maxBytes: number): Promise<ExportRead>
  close(): Promise<void>
}

export const megabytes = (bytes: number) => `${Math.max(1, Math.round(bytes / (1024 * 1024)))} MB`
export const tooLarge = (size: number, maxBytes: number) => `is ${megabytes(size)}, over the ${megabytes(maxBytes)} one file of an export may be`

/** The folder itself, or the one folder inside it that holds channels.json (an unzipped archive's wrapper). */
export function openDirectoryExport(directory: string): ExportSource {
  let root = directory
  if (!existsSync(join(root, 'channels.json'))) {
    const inner = readdirSync(root).filter((name) => statSync(join(root, name)).isDirectory() && existsSync(join(root, name, 'channels.json')))
    if (inner.length === 1) root = join(root, inner[0]!)
  }
  const files: string[] = []
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name)
    if (statSync(path).isDirectory()) {
      for (const day of readdirSync(path).sort()) if (statSync(join(path, day)).isFile()) files.push(`${name}/${day}`)
    } else files.push(name)
  }
  return {
    name: basename(root),
    files,
    async read(path, maxBytes) {
      const full = join(root, ...path.split('/'))
      const size = statSync(full).size
      if (size > maxBytes) return { problem: tooLarge(size, maxBytes) }
      return { data: await readFile(full) }
    },
    async close() {},
  }
}
