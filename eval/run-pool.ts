// Runs async work over a list with a bounded number in flight, keeping results in input order. The model layer
// bounds concurrency too; this only keeps the evaluation from queueing thousands of calls at once.

export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}

/** Up to `count` items spread evenly over the list (deterministic), so a slice still covers the whole set. */
export function spreadEvenly<T>(items: readonly T[], count: number | undefined): T[] {
  if (count === undefined || items.length <= count) return [...items]
  if (count <= 0) return []
  return Array.from({ length: count }, (_, index) => items[Math.floor(((index + 0.5) * items.length) / count)]!)
}

/** Takes items group by group in turns (one from each group, then the next round), so a slice covers every group. */
export function roundRobin<T>(groups: readonly (readonly T[])[]): T[] {
  const out: T[] = []
  const longest = Math.max(0, ...groups.map((group) => group.length))
  for (let round = 0; round < longest; round++) for (const group of groups) if (round < group.length) out.push(group[round]!)
  return out
}
