// Reads a conversation export for an import, whichever form it comes in: a JSONL chat file, an unzipped Slack export
// folder, or the .zip Slack hands out (told apart by its first bytes, not its name).
import { existsSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { BotError } from '../../src/bot-error.js'
import type { WorkspaceRef } from '../../src/core/types.js'
import type { ConversationFile } from './conversation-file.js'
import { openDirectoryExport, type ExportSource } from './export-source.js'
import { readJsonlFile } from './read-jsonl-file.js'
import { readSlackExport } from './read-slack-export.js'
import { openZipExport } from './zip-export-source.js'

export type { ConversationFile } from './conversation-file.js'

export async function readConversationFile(path: string, workspace: WorkspaceRef): Promise<ConversationFile> {
  if (!existsSync(path)) throw new BotError('input_invalid', `No file or directory at ${path}.`)
  let source: ExportSource
  if (statSync(path).isDirectory()) source = openDirectoryExport(path)
  else if (await isZip(path)) source = await openZipExport(path)
  else return readJsonlFile(path, workspace)
  try {
    return await readSlackExport(source, workspace)
  } finally {
    await source.close()
  }
}

/** Every zip starts with a local file header ("PK\x03\x04"), or the end record when it is empty. */
async function isZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const start = Buffer.alloc(4)
    await handle.read(start, 0, 4, 0)
    return start.readUInt32LE(0) === 0x04034b50 || start.readUInt32LE(0) === 0x06054b50
  } finally {
    await handle.close()
  }
}
