import type { Item } from './dataset.js'

/**
 * The classifier head: L2-regularised weighted logistic regression on pooled backbone features, fitted in plain
 * JS with full-batch Adam (deterministic: no random init, no shuffling). Class 0 (food) vs class 1 (not_food).
 * It is shipped as a 2-way softmax: logits (z/2, -z/2) give softmax[0] = sigmoid(z).
 */
export interface HeadOptions {
  l2: number
  iterations: number
  learningRate: number
  /** Source balance exponent: each (source, class) group weighs n^alpha in total (1 = by count, 0 = equal). */
  sourceAlpha: number
}

export const DEFAULT_HEAD: HeadOptions = { l2: 1e-3, iterations: 400, learningRate: 0.05, sourceAlpha: 0.5 }

export interface Head {
  /** Weight per feature of the food-vs-not logit z; p(food) = sigmoid(w.x + b). */
  w: Float32Array
  b: number
  temperature: number
}

/** Per-item weights: equal total per class; within a class, each source package weighs n^alpha. */
export function sampleWeights (items: Array<Pick<Item, 'y' | 'source'>>, alpha: number): Float64Array {
  const groups = new Map<string, number>()
  for (const it of items) groups.set(`${it.y}|${it.source}`, (groups.get(`${it.y}|${it.source}`) ?? 0) + 1)
  const w = new Float64Array(items.length)
  const classTotal = [0, 0]
  items.forEach((it, i) => {
    const n = groups.get(`${it.y}|${it.source}`) as number
    w[i] = Math.pow(n, alpha) / n
    classTotal[it.y] += w[i]
  })
  const present = classTotal.filter(t => t > 0).length
  items.forEach((it, i) => { w[i] = w[i] / classTotal[it.y] * items.length / present })
  return w
}

const sigmoid = (z: number): number => z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))

/** x: rows of features; y: 0 food / 1 not_food; weights: per row. */
export function trainHead (x: Float32Array[], y: ArrayLike<number>, weights: ArrayLike<number>, opts: HeadOptions = DEFAULT_HEAD): Head {
  const n = x.length; const d = x[0].length
  const w = new Float64Array(d); let b = 0
  const mW = new Float64Array(d); const vW = new Float64Array(d); let mB = 0; let vB = 0
  const gW = new Float64Array(d)
  const b1 = 0.9; const b2 = 0.999; const eps = 1e-8
  let wsum = 0
  for (let i = 0; i < n; i++) wsum += weights[i]
  for (let it = 1; it <= opts.iterations; it++) {
    gW.fill(0); let gB = 0
    for (let i = 0; i < n; i++) {
      const xi = x[i]
      let z = b
      for (let j = 0; j < d; j++) z += w[j] * xi[j]
      const t = y[i] === 0 ? 1 : 0 // target: is food
      const g = (sigmoid(z) - t) * weights[i] / wsum
      gB += g
      for (let j = 0; j < d; j++) gW[j] += g * xi[j]
    }
    const lr = opts.learningRate
    const c1 = 1 - Math.pow(b1, it); const c2 = 1 - Math.pow(b2, it)
    for (let j = 0; j < d; j++) {
      const g = gW[j] + opts.l2 * w[j]
      mW[j] = b1 * mW[j] + (1 - b1) * g
      vW[j] = b2 * vW[j] + (1 - b2) * g * g
      w[j] -= lr * (mW[j] / c1) / (Math.sqrt(vW[j] / c2) + eps)
    }
    mB = b1 * mB + (1 - b1) * gB
    vB = b2 * vB + (1 - b2) * gB * gB
    b -= lr * (mB / c1) / (Math.sqrt(vB / c2) + eps)
  }
  return { w: Float32Array.from(w), b, temperature: 1 }
}

/** p(food) for one feature vector. */
export function predictFood (head: Head, x: Float32Array): number {
  let z = head.b
  for (let j = 0; j < x.length; j++) z += head.w[j] * x[j]
  return sigmoid(z / head.temperature)
}

/** Temperature that minimises the log loss of held-out predictions given as logits z with labels y. */
export function fitTemperature (z: number[], y: number[]): number {
  let best = 1; let bestLoss = Infinity
  for (let t = 0.25; t <= 8; t *= 1.02) {
    let loss = 0
    for (let i = 0; i < z.length; i++) {
      const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(z[i] / t)))
      loss -= y[i] === 0 ? Math.log(p) : Math.log(1 - p)
    }
    if (loss < bestLoss) { bestLoss = loss; best = t }
  }
  return best
}

/** The head as softmax dense weights: kernel [d,2] (row-major) and bias [2], temperature folded in. */
export function headAsDense (head: Head): { kernel: Float32Array, bias: Float32Array } {
  const d = head.w.length
  const kernel = new Float32Array(d * 2)
  for (let j = 0; j < d; j++) {
    kernel[j * 2] = head.w[j] / head.temperature / 2
    kernel[j * 2 + 1] = -head.w[j] / head.temperature / 2
  }
  const bias = Float32Array.from([head.b / head.temperature / 2, -head.b / head.temperature / 2])
  return { kernel, bias }
}

export function logit (head: Head, x: Float32Array): number {
  let z = head.b
  for (let j = 0; j < x.length; j++) z += head.w[j] * x[j]
  return z
}
