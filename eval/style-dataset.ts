// The shape the HyPerAlign / DITTO protocol runs on, whatever the corpus: authors (a few training texts the model
// conditions see, more texts the style measure learns from) and held-out writing tasks with the real text as reference.
import type { ContextMessage, Platform } from '../src/core/types.js'

export type StyleAuthor = {
  /** Corpus id (a pseudonym or CMCC author code), shown in the report. */
  id: string
  /** What every model condition is given about the author: a few of their texts (DITTO used 7). */
  trainTexts: string[]
  /** What the style-match measure learns the author from (never a held-out text). */
  measureTexts: string[]
  /** Training tasks the "ours + edits" condition drafts and then edits toward the author's real text. */
  editTasks: EditTask[]
}

/** One of the author's training texts as a writing task: the intent is derived from the text when not given. */
export type EditTask = { kind: string; reference: string; intent?: string }

export type StyleTask = {
  id: string
  /** Index into the dataset's authors. */
  author: number
  /** What kind of text to write, for the intent and the report, e.g. `email`. */
  kind: string
  /** The author's real held-out text: the judge's reference, and the source of the intent when none is given. */
  reference: string
  /** The task as the dataset states it (DITTO's prompt); without it the intent is derived from the reference. */
  intent?: string
  /** Thread context before the reference (chat only). */
  context: ContextMessage[]
  /** Another author's real text of the same kind: a floor for the style measure. */
  otherReference?: string
}

export type StyleDataset = {
  name: string
  corpus: string
  platform: Platform
  /** How authors, training texts, measure texts and tasks were chosen, for the report. */
  design: string
  authors: StyleAuthor[]
  /** Interleaved across authors (first task of each author, then the second...), so a slice covers many authors. */
  tasks: StyleTask[]
}
