// CMCC for the HyPerAlign / DITTO protocol on DITTO's exact split: per author, the first `trainTexts` of their train
// list (DITTO's `train_instances`) are what the model conditions see, every val and test record is a task with
// DITTO's own prompt as the intent and the author's text as reference (101 tasks over 21 authors), and the style
// measure learns each author from their whole train list (never a val or test text). Reads rows it is given; no model.
import type { DittoRow } from './cmcc-corpus.js'
import { roundRobin } from './run-pool.js'
import type { StyleAuthor, StyleDataset, StyleTask } from './style-dataset.js'

export type CmccStyleOptions = { trainTexts: number; editTasks: number }

export function cmccStyleDataset(rows: DittoRow[], corpus: string, options: CmccStyleOptions): StyleDataset {
  const byAuthor = new Map<number, DittoRow[]>()
  for (const row of rows) {
    if (!row.text.trim()) continue
    const list = byAuthor.get(row.author) ?? []
    list.push(row)
    byAuthor.set(row.author, list)
  }
  const authors: StyleAuthor[] = []
  const perAuthor: StyleTask[][] = []
  for (const key of [...byAuthor.keys()].sort((a, b) => a - b)) {
    const records = byAuthor.get(key)!.sort((a, b) => a.index - b.index)
    const train = records.filter((row) => row.split === 'train')
    const held = [...records.filter((row) => row.split === 'val'), ...records.filter((row) => row.split === 'test')]
    if (train.length < options.trainTexts || held.length === 0) continue
    const author = authors.length
    const id = train[0]!.source_author ?? `author ${key}`
    const shown = train.slice(0, options.trainTexts)
    authors.push({
      id,
      trainTexts: shown.map((row) => row.text),
      measureTexts: train.map((row) => row.text),
      editTasks: shown.slice(0, options.editTasks).map((row) => ({ kind: kindOf(row.prompt), reference: row.text, intent: row.prompt })),
    })
    perAuthor.push(held.map((row) => ({ id: `${id}/${row.split}-${row.index}`, author, kind: kindOf(row.prompt), reference: row.text, intent: row.prompt, context: [] })))
  }
  const tasks = withOtherReferences(roundRobin(perAuthor))
  return {
    name: 'CMCC',
    corpus,
    platform: 'console',
    design:
      `DITTO's CMCC split: ${authors.length} authors, every val and test record a task (${tasks.length}) with DITTO's prompt as the intent; ` +
      `the first ${options.trainTexts} train records per author shown to the model conditions; the style measure learns each author from their whole train list.`,
    authors,
    tasks,
  }
}

/** DITTO's CMCC prompts ask for an email response or an essay. */
function kindOf(prompt: string): string {
  return /^write an email/i.test(prompt) ? 'email' : /essay/i.test(prompt) ? 'essay' : 'text'
}

/** Each task gets the reference of the nearest later task by another author, as a floor for the style measure. */
export function withOtherReferences(tasks: StyleTask[]): StyleTask[] {
  return tasks.map((task, index) => {
    for (let step = 1; step < tasks.length; step++) {
      const other = tasks[(index + step) % tasks.length]!
      if (other.author !== task.author) return { ...task, otherReference: other.reference }
    }
    return task
  })
}
