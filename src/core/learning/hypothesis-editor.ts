// A member's own edits to their hypotheses: pin, correct, delete, add. Edits always win over inference: corrected
// and added statements become the member's, deleted ones are remembered so learning never proposes them again.
import { randomUUID } from 'node:crypto'
import { BotError } from '../../bot-error.js'
import type { HypothesisStore } from '../records/hypothesis-store.js'
import type { Hypothesis, HypothesisEdit, MemberRef } from '../types.js'

const maxStatementLength = 300
const maxHypotheses = 40

export function createHypothesisEditor(dependencies: { hypotheses: HypothesisStore; clock: () => number }) {
  const { hypotheses, clock } = dependencies
  return {
    async edit(member: MemberRef, edit: HypothesisEdit) {
      const previous = await hypotheses.get(member)
      const now = clock()
      let list: Hypothesis[] = [...previous.hypotheses]
      let rejected = previous.rejected
      const find = (id: string) => {
        const found = list.find((each) => each.id === id)
        if (!found) throw new BotError('not_found', 'That hypothesis no longer exists; it may have been updated. Refresh your profile.')
        return found
      }
      const checkStatement = (statement: string) => {
        const trimmed = statement.trim()
        if (!trimmed) throw new BotError('input_invalid', 'A hypothesis needs some text.')
        if (trimmed.length > maxStatementLength) throw new BotError('input_too_large', `Keep a hypothesis under ${maxStatementLength} characters.`)
        return trimmed
      }
      switch (edit.action) {
        case 'pin': {
          const target = find(edit.hypothesisId)
          list = list.map((each) => (each === target ? { ...each, pinned: edit.pinned, updatedAt: now } : each))
          break
        }
        case 'correct': {
          const target = find(edit.hypothesisId)
          const statement = checkStatement(edit.statement)
          list = list.map((each) => (each === target ? { ...each, statement, source: 'member', pinned: true, confidence: 1, updatedAt: now } : each))
          if (target.source === 'inferred') rejected = [...rejected, target.statement]
          break
        }
        case 'delete': {
          const target = find(edit.hypothesisId)
          list = list.filter((each) => each !== target)
          if (target.source === 'inferred') rejected = [...rejected, target.statement]
          break
        }
        case 'add': {
          if (list.length >= maxHypotheses) throw new BotError('input_invalid', `You already have ${maxHypotheses} hypotheses; delete one first.`)
          list.push({ id: randomUUID().slice(0, 8), category: edit.category, statement: checkStatement(edit.statement), evidenceMessageIds: [], confidence: 1, source: 'member', pinned: true, updatedAt: now })
          break
        }
      }
      return hypotheses.save(member, previous, { hypotheses: list, rejected }, 'member', now)
    },
  }
}
