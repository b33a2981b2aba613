// CMCC for the HyPerAlign / DITTO protocol: per author, held-out emails are the tasks; the training texts are 7 of the
// author's emails, blog posts and essays on other topics (so content cannot be copied); the style measure learns
// from all of those other-topic texts. Reads rows it is given; no model.
import type { CmccRow } from './cmcc-corpus.js'
import { roundRobin, spreadEvenly } from './run-pool.js'
import type { StyleAuthor, StyleDataset, StyleTask } from './style-dataset.js'

export type CmccStyleOptions = { trainTexts: number; tasksPerAuthor: number; taskGenre?: string; trainGenres?: string[] }

export function cmccStyleDataset(rows: CmccRow[], corpus: string, options: CmccStyleOptions): StyleDataset {
  const taskGenre = options.taskGenre ?? 'email'
  const trainGenres = options.trainGenres ?? ['email', 'blog', 'essay']
  const byAuthor = new Map<string, CmccRow[]>()
  for (const row of rows) {
    if (!row.text.trim()) continue
    const list = byAuthor.get(row.author) ?? []
    list.push(row)
    byAuthor.set(row.author, list)
  }
  const order = (a: CmccRow, b: CmccRow) => (a.topic_order ?? 0) - (b.topic_order ?? 0) || ((a.file ?? '') < (b.file ?? '') ? -1 : 1)
  const authors: StyleAuthor[] = []
  const heldOut: CmccRow[][] = []
  for (const id of [...byAuthor.keys()].sort()) {
    const texts = byAuthor.get(id)!
    const tasks = texts.filter((row) => row.genre === taskGenre).sort(order).slice(-options.tasksPerAuthor)
    const heldTopics = new Set(tasks.map((row) => row.topic))
    const other = texts.filter((row) => trainGenres.includes(row.genre) && !heldTopics.has(row.topic)).sort(order)
    if (tasks.length < options.tasksPerAuthor || other.length < options.trainTexts) continue
    // Spread over genres and topics: one of each genre in turn, each genre's texts in topic order.
    const byGenre = trainGenres.map((genre) => other.filter((row) => row.genre === genre))
    authors.push({ id, trainTexts: spreadEvenly(roundRobin(byGenre), options.trainTexts).map((row) => row.text), measureTexts: other.map((row) => row.text) })
    heldOut.push(tasks)
  }
  const perAuthor: StyleTask[][] = heldOut.map((tasks, author) =>
    tasks.map((row) => ({ id: `${authors[author]!.id}/${row.file ?? row.topic}`, author, kind: taskGenre, reference: row.text, context: [] })),
  )
  const tasks = withOtherReferences(roundRobin(perAuthor))
  return {
    name: 'CMCC',
    corpus,
    platform: 'console',
    design:
      `${authors.length} authors with ${options.tasksPerAuthor} held-out ${taskGenre}s each (their last by topic order); ` +
      `${options.trainTexts} training texts per author from their ${trainGenres.join('/')} texts on the other topics; ` +
      `the style measure learns each author from all of those other-topic texts.`,
    authors,
    tasks,
  }
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
