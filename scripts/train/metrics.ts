/** Binary metrics with food as the positive class (label 0), from p(food) and labels. */
export interface Metrics {
  n: number
  accuracy: number
  foodRecall: number
  foodPrecision: number
  notFoodSpecificity: number
  /** Rows: true class, columns: predicted class, order [food, not_food]. */
  confusion: { labels: string[], matrix: number[][] }
  logLoss: number
  ece: number
  reliability: Array<{ from: number, to: number, n: number, confidence: number, accuracy: number }>
}

export function computeMetrics (pFood: number[], y: number[], bins = 10): Metrics {
  const m = [[0, 0], [0, 0]]
  let loss = 0
  const rel = Array.from({ length: bins }, (_, i) => ({ from: 0.5 + i * 0.5 / bins, to: 0.5 + (i + 1) * 0.5 / bins, n: 0, conf: 0, correct: 0 }))
  for (let i = 0; i < y.length; i++) {
    const pred = pFood[i] >= 0.5 ? 0 : 1
    m[y[i]][pred]++
    const p = Math.min(1 - 1e-7, Math.max(1e-7, pFood[i]))
    loss -= y[i] === 0 ? Math.log(p) : Math.log(1 - p)
    const conf = Math.max(pFood[i], 1 - pFood[i])
    const b = Math.min(bins - 1, Math.floor((conf - 0.5) / 0.5 * bins))
    rel[b].n++; rel[b].conf += conf; rel[b].correct += pred === y[i] ? 1 : 0
  }
  const n = y.length
  let ece = 0
  for (const r of rel) if (r.n > 0) ece += r.n / n * Math.abs(r.conf / r.n - r.correct / r.n)
  const div = (a: number, b: number): number => b === 0 ? NaN : a / b
  return {
    n,
    accuracy: div(m[0][0] + m[1][1], n),
    foodRecall: div(m[0][0], m[0][0] + m[0][1]),
    foodPrecision: div(m[0][0], m[0][0] + m[1][0]),
    notFoodSpecificity: div(m[1][1], m[1][0] + m[1][1]),
    confusion: { labels: ['food', 'not_food'], matrix: m },
    logLoss: loss / Math.max(1, n),
    ece,
    reliability: rel.filter(r => r.n > 0).map(r => ({ from: round(r.from), to: round(r.to), n: r.n, confidence: round(r.conf / r.n), accuracy: round(r.correct / r.n) }))
  }
}

export const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d

export function fmtPct (x: number): string { return Number.isNaN(x) ? '  n/a' : `${(100 * x).toFixed(1)}%` }

export function formatMetrics (title: string, m: Metrics): string {
  const [[ff, fn], [nf, nn]] = m.confusion.matrix
  return [
    `${title}: n=${m.n} accuracy ${fmtPct(m.accuracy)}  food recall ${fmtPct(m.foodRecall)}  food precision ${fmtPct(m.foodPrecision)}  not-food specificity ${fmtPct(m.notFoodSpecificity)}  log loss ${m.logLoss.toFixed(3)}  ECE ${m.ece.toFixed(3)}`,
    '  confusion (rows true, cols predicted):   food  not_food',
    `    food      ${String(ff).padStart(26)} ${String(fn).padStart(9)}`,
    `    not_food  ${String(nf).padStart(26)} ${String(nn).padStart(9)}`
  ].join('\n')
}

/**
 * Highest top-probability threshold (in steps of 0.01) that flags at most `maxFlagged` of the predictions as
 * uncertain: the flag then marks the doubtful tail instead of half of the answers.
 */
export function chooseFlaggedThreshold (pFood: number[], y: number[], maxFlagged = 0.15): { threshold: number, coverage: number, accuracyAbove: number, accuracyBelow: number } {
  const conf = pFood.map(p => Math.max(p, 1 - p))
  let best = 0.5
  for (let k = 50; k < 100; k++) {
    const t = k / 100
    if (conf.filter(c => c < t).length / conf.length <= maxFlagged) best = t
  }
  let n = 0; let ok = 0; let okBelow = 0
  for (let i = 0; i < y.length; i++) {
    const right = (pFood[i] >= 0.5 ? 0 : 1) === y[i]
    if (conf[i] >= best) { n++; if (right) ok++ } else if (right) okBelow++
  }
  return { threshold: round(best, 2), coverage: n / y.length, accuracyAbove: ok / n, accuracyBelow: y.length > n ? okBelow / (y.length - n) : NaN }
}

/** Smallest top-probability threshold such that predictions at or above it are right at least `target` of the time. */
export function chooseUncertainThreshold (pFood: number[], y: number[], target = 0.97): { threshold: number, coverage: number, accuracyAbove: number } {
  const conf = pFood.map(p => Math.max(p, 1 - p))
  for (let k = 50; k < 100; k++) {
    const t = k / 100
    let n = 0; let ok = 0
    for (let i = 0; i < y.length; i++) {
      if (conf[i] >= t) { n++; if ((pFood[i] >= 0.5 ? 0 : 1) === y[i]) ok++ }
    }
    if (n > 0 && ok / n >= target) return { threshold: round(t, 2), coverage: n / y.length, accuracyAbove: ok / n }
  }
  return { threshold: 0.99, coverage: conf.filter(c => c >= 0.99).length / y.length, accuracyAbove: NaN }
}
