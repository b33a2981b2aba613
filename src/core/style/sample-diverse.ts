// Picks a diverse, deterministic sample of a member's messages for hypothesis learning: every register they write
// in (length, question or statement, code) is represented, and each register is spread over time.
import { describeRegister } from './text-register.js'

export type SampleCandidate = { id: string; text: string; timestamp: number }

/**
 * Up to n messages in time order. Messages are grouped by register (length band × question × code); each group
 * gets a share of n proportional to the square root of its size (rare registers still show, common ones show
 * more), at least one while n allows; within a group the picks are evenly spaced in time. Exact repeats of a
 * text are taken once.
 */
export function sampleDiverse<T extends SampleCandidate>(messages: T[], n: number): T[] {
  if (n <= 0) return []
  const seen = new Set<string>()
  const unique = [...messages]
    .sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((message) => {
      const key = message.text.trim().toLowerCase()
      if (!key || seen.has(key)) return false
      seen.add(key)
      return true
    })
  if (unique.length <= n) return unique
  const groups = new Map<string, T[]>()
  for (const message of unique) {
    const register = describeRegister(message.text)
    const band = register.words <= 3 ? 0 : register.words <= 10 ? 1 : register.words <= 30 ? 2 : 3
    const key = `${band}:${register.question ? 'q' : 's'}:${register.code ? 'c' : 'p'}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = []))
    group.push(message)
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, group]) => group)
  const quotas = allocate(ordered.map((group) => group.length), n)
  const picked: T[] = []
  ordered.forEach((group, index) => {
    const quota = quotas[index]!
    for (let pick = 0; pick < quota; pick++) picked.push(group[Math.floor(((pick + 0.5) * group.length) / quota)]!)
  })
  return picked.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Largest-remainder shares of n proportional to sqrt(size), at most size each, one each first while n allows. */
function allocate(sizes: number[], n: number): number[] {
  const quotas = sizes.map(() => 0)
  let left = n
  // One per group first, largest groups first, so a sample smaller than the number of registers still spreads.
  const bySize = sizes.map((size, index) => ({ size, index })).sort((a, b) => b.size - a.size || a.index - b.index)
  for (const { index } of bySize) {
    if (left === 0) break
    quotas[index] = 1
    left--
  }
  while (left > 0) {
    const open = sizes.map((size, index) => ({ index, weight: Math.sqrt(size) })).filter(({ index }) => quotas[index]! < sizes[index]!)
    if (open.length === 0) break
    const totalWeight = open.reduce((sum, entry) => sum + entry.weight, 0)
    const round = left
    const shares = open.map((entry) => ({ ...entry, exact: (round * entry.weight) / totalWeight }))
    let given = 0
    for (const share of shares) {
      const whole = Math.min(Math.floor(share.exact), sizes[share.index]! - quotas[share.index]!)
      quotas[share.index]! += whole
      given += whole
    }
    left -= given
    if (left > 0) {
      const byRemainder = shares
        .filter((share) => quotas[share.index]! < sizes[share.index]!)
        .sort((a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)) || a.index - b.index)
      for (const share of byRemainder) {
        if (left === 0) break
        quotas[share.index]! += 1
        left--
      }
    }
  }
  return quotas
}
