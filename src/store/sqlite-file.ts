// Gets an SQLite file's folder ready before SQLite opens it, and says exactly what is wrong when it cannot be: a
// missing parent that cannot be created, a file where a folder should be, a folder the bot may not write to.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export class SqliteFileError extends Error {
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.name = 'SqliteFileError'
    this.code = code
  }
}

const codeOf = (error: unknown) => String((error as { code?: unknown })?.code ?? 'UNKNOWN')

/** Creates the file's folder (and its parents) when missing, and checks the bot can create files in it. */
export function prepareSqliteFile(file: string): void {
  const folder = dirname(resolve(file))
  ensureFolder(folder)
  try {
    // SQLite creates the -wal and -shm files next to the database, so the folder itself must be writable.
    accessSync(folder, constants.W_OK | constants.X_OK)
  } catch (error) {
    const code = codeOf(error)
    throw new SqliteFileError(`the folder ${folder} is ${code === 'EROFS' ? 'on a read-only file system' : 'not writable'} (${code})`, code)
  }
}

/**
 * One level at a time, not `mkdirSync(folder, { recursive: true })`: Node's recursive mkdir never returns for a
 * path under /proc (mkdir there fails with ENOENT although the parent exists, and Node retries the parent forever).
 */
function ensureFolder(folder: string): void {
  try {
    if (statSync(folder).isDirectory()) return
    throw new SqliteFileError(`${folder} is a file, not a folder (ENOTDIR)`, 'ENOTDIR')
  } catch (error) {
    if (error instanceof SqliteFileError) throw error
    const code = codeOf(error)
    if (code === 'ENOTDIR') throw new SqliteFileError(`a part of ${folder} is a file, not a folder (ENOTDIR)`, code)
    if (code !== 'ENOENT') throw new SqliteFileError(`cannot read the folder ${folder} (${code})`, code)
  }
  const parent = dirname(folder)
  if (parent !== folder) ensureFolder(parent)
  try {
    mkdirSync(folder)
  } catch (error) {
    const code = codeOf(error)
    if (code !== 'EEXIST') throw new SqliteFileError(`cannot create the folder ${folder} (${code})`, code)
  }
}
