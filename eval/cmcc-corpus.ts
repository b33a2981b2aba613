// Reads the CMCC cross-genre authorship corpus and turns it into attribution candidates: learn from one genre of
// every author who wrote both, hold out the other genre. Reads only the path it is given; copies nothing.
import { z } from 'zod'
import { readJsonLines, type AttributionMember } from './chat-corpus.js'

export const cmccRowSchema = z.object({
  author: z.string(),
  genre: z.string(),
  topic: z.string().optional(),
  topic_order: z.number().optional(),
  genre_order: z.number().optional(),
  file: z.string().optional(),
  text: z.string(),
})

export type CmccRow = z.output<typeof cmccRowSchema>

export function readCmcc(path: string): CmccRow[] {
  return readJsonLines(path, cmccRowSchema, 'CMCC corpus')
}

/** A record of DITTO's per-author split (Shaikh et al. 2024): `index` is the position in that author's list. */
export const dittoRowSchema = z.object({
  split: z.enum(['train', 'val', 'test']),
  author: z.number().int(),
  index: z.number().int(),
  prompt: z.string(),
  text: z.string(),
  source_author: z.string().optional(),
})

export type DittoRow = z.output<typeof dittoRowSchema>

export function readDittoSplit(path: string): DittoRow[] {
  return readJsonLines(path, dittoRowSchema, "DITTO's CMCC split")
}

/** Authors with texts in both genres; training = `learnGenre`, held out = `testGenre`, each in file order. */
export function crossGenreMembers(rows: CmccRow[], learnGenre: string, testGenre: string): AttributionMember[] {
  const byAuthor = new Map<string, { train: CmccRow[]; test: CmccRow[] }>()
  for (const row of rows) {
    if (!row.text.trim() || (row.genre !== learnGenre && row.genre !== testGenre)) continue
    let entry = byAuthor.get(row.author)
    if (!entry) byAuthor.set(row.author, (entry = { train: [], test: [] }))
    ;(row.genre === learnGenre ? entry.train : entry.test).push(row)
  }
  const order = (a: CmccRow, b: CmccRow) => (a.topic_order ?? 0) - (b.topic_order ?? 0) || ((a.file ?? '') < (b.file ?? '') ? -1 : 1)
  return [...byAuthor.entries()]
    .filter(([, entry]) => entry.train.length > 0 && entry.test.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([author, entry]) => ({
      id: author,
      train: entry.train.sort(order).map((row) => row.text),
      test: entry.test.sort(order).map((row) => row.text),
    }))
}
