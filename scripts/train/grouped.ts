/** Grouped (by source package) splits: a source is never on both sides of a split. */
export interface Fold { heldOut: string[], train: number[], test: number[] }

/** Leave-one-source-out: one fold per source package. */
export function leaveOneSourceOut (sources: string[]): Fold[] {
  const unique = [...new Set(sources)].sort()
  return unique.map(s => ({
    heldOut: [s],
    train: sources.flatMap((x, i) => x !== s ? [i] : []),
    test: sources.flatMap((x, i) => x === s ? [i] : [])
  }))
}

/**
 * k grouped folds: sources assigned greedily, largest first, to the fold with the fewest items so far
 * (deterministic, no randomness needed).
 */
export function groupedKFold (sources: string[], k: number): Fold[] {
  const counts = new Map<string, number>()
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1)
  const order = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  const bins: Array<{ sources: string[], n: number }> = Array.from({ length: k }, () => ({ sources: [], n: 0 }))
  for (const [s, n] of order) {
    const bin = bins.reduce((m, x) => x.n < m.n ? x : m, bins[0])
    bin.sources.push(s); bin.n += n
  }
  return bins.filter(b => b.n > 0).map(b => {
    const held = new Set(b.sources)
    return {
      heldOut: b.sources,
      train: sources.flatMap((x, i) => !held.has(x) ? [i] : []),
      test: sources.flatMap((x, i) => held.has(x) ? [i] : [])
    }
  })
}

/** Throws if any fold shares a source between train and test, or a test item appears in two folds. */
export function assertGrouped (sources: string[], folds: Fold[]): void {
  const seen = new Set<number>()
  for (const f of folds) {
    const trainSources = new Set(f.train.map(i => sources[i]))
    for (const i of f.test) {
      if (trainSources.has(sources[i])) throw new Error(`source ${sources[i]} is in both train and test`)
      if (seen.has(i)) throw new Error(`item ${i} is tested twice`)
      seen.add(i)
    }
  }
}
