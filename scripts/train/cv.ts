import type { Item } from './dataset.js'
import { assertGrouped, leaveOneSourceOut, type Fold } from './grouped.js'
import { DEFAULT_HEAD, logit, sampleWeights, trainHead, type HeadOptions } from './head.js'
import { computeMetrics, type Metrics } from './metrics.js'

/** Sources with fewer photos than this are held out together as one fold ("small sources"). */
export const SMALL_SOURCE = 10
export const SMALL_GROUP = 'small sources (<10 photos each)'

/** The grouping unit: the source package, with the long tail of tiny packages pooled into one group. */
export function evaluationGroups (items: Array<Pick<Item, 'source'>>): string[] {
  const counts = new Map<string, number>()
  for (const it of items) counts.set(it.source, (counts.get(it.source) ?? 0) + 1)
  return items.map(it => (counts.get(it.source) as number) < SMALL_SOURCE ? SMALL_GROUP : it.source)
}

export interface TrainConfig {
  /** Views per photo used for training (1 = originals only; more = originals + augmented views). */
  views: number
  head: HeadOptions
}

export const DEFAULT_CONFIG: TrainConfig = { views: 1, head: DEFAULT_HEAD }

export interface CvResult {
  folds: Array<{ heldOut: string[], metrics: Metrics }>
  pooled: Metrics
  /** Held-out logit (food vs not) of each item's original photo. */
  logits: number[]
  pFood: number[]
}

/** Trains the head on a set of items (all their views) and returns it. */
export function fitOn (items: Item[], feats: Float32Array[][], idx: number[], cfg: TrainConfig): ReturnType<typeof trainHead> {
  const x: Float32Array[] = []; const y: number[] = []; const src: Array<Pick<Item, 'y' | 'source'>> = []
  for (let v = 0; v < cfg.views; v++) {
    for (const i of idx) { x.push(feats[v][i]); y.push(items[i].y); src.push(items[i]) }
  }
  return trainHead(x, y, sampleWeights(src, cfg.head.sourceAlpha), cfg.head)
}

/** Leave-one-source-out (tiny sources pooled into one held-out group): every photo is predicted by a head that never saw its source. */
export function crossValidate (items: Item[], feats: Float32Array[][], cfg: TrainConfig, onFold?: (f: Fold, m: Metrics) => void): CvResult {
  const groups = evaluationGroups(items)
  const folds = leaveOneSourceOut(groups)
  assertGrouped(groups, folds)
  const logits = new Array<number>(items.length).fill(NaN)
  const out: CvResult['folds'] = []
  for (const fold of folds) {
    const head = fitOn(items, feats, fold.train, cfg)
    for (const i of fold.test) logits[i] = logit(head, feats[0][i])
    const m = computeMetrics(fold.test.map(i => 1 / (1 + Math.exp(-logits[i]))), fold.test.map(i => items[i].y))
    out.push({ heldOut: fold.heldOut, metrics: m })
    onFold?.(fold, m)
  }
  const pFood = logits.map(z => 1 / (1 + Math.exp(-z)))
  return { folds: out, pooled: computeMetrics(pFood, items.map(it => it.y)), logits, pFood }
}
