import t from 'tap'
import { fitTemperature, headAsDense, predictFood, sampleWeights, trainHead } from '../../../scripts/train/head.js'
import { chooseUncertainThreshold, computeMetrics } from '../../../scripts/train/metrics.js'
import { mulberry32 } from '../../../scripts/train/common.js'
import { parseCsvLine, parseManifestCsv } from '../../../scripts/train/dataset.js'

t.test('sample weights: classes weigh the same, large sources are damped', async t => {
  const items = [...Array(90).fill({ y: 0, source: 'big' }), ...Array(10).fill({ y: 0, source: 'small' }), ...Array(50).fill({ y: 1, source: 'x' })]
  const w = sampleWeights(items, 0.5)
  const total = (pred: (i: number) => boolean): number => items.reduce((s, _, i) => s + (pred(i) ? w[i] : 0), 0)
  t.ok(Math.abs(total(i => items[i].y === 0) - total(i => items[i].y === 1)) < 1e-9, 'equal class totals')
  const big = total(i => items[i].source === 'big'); const small = total(i => items[i].source === 'small')
  t.ok(Math.abs(big / small - Math.sqrt(90) / Math.sqrt(10)) < 1e-9, 'groups weigh n^alpha')
  t.ok(Math.abs(total(() => true) - items.length) < 1e-9, 'mean weight 1')
})

t.test('logistic head separates a toy problem and matches its softmax form', async t => {
  const rand = mulberry32(1)
  const x: Float32Array[] = []; const y: number[] = []
  for (let i = 0; i < 200; i++) {
    const c = i % 2
    x.push(Float32Array.from({ length: 4 }, (_, j) => (j === 0 ? (c === 0 ? 1 : -1) : 0) + (rand() - 0.5)))
    y.push(c)
  }
  const head = trainHead(x, y, new Float64Array(200).fill(1), { l2: 1e-3, iterations: 200, learningRate: 0.05, sourceAlpha: 0 })
  const acc = x.filter((xi, i) => (predictFood(head, xi) >= 0.5 ? 0 : 1) === y[i]).length / x.length
  t.ok(acc > 0.95, `accuracy ${acc}`)
  head.temperature = 1.7
  const { kernel, bias } = headAsDense(head)
  for (const xi of x.slice(0, 10)) {
    const l0 = bias[0] + xi.reduce((s, v, j) => s + v * kernel[j * 2], 0)
    const l1 = bias[1] + xi.reduce((s, v, j) => s + v * kernel[j * 2 + 1], 0)
    const soft0 = Math.exp(l0) / (Math.exp(l0) + Math.exp(l1))
    t.ok(Math.abs(soft0 - predictFood(head, xi)) < 1e-6)
  }
})

t.test('temperature fitting shrinks overconfident logits', async t => {
  const z = [8, 8, 8, 8, -8, -8, -8, -8, 8, -8]
  const y = [0, 0, 0, 1, 1, 1, 1, 0, 0, 1] // 80% right at confidence ~1
  t.ok(fitTemperature(z, y) > 2)
})

t.test('metrics: confusion, recall, specificity, ECE, threshold', async t => {
  const p = [0.9, 0.8, 0.4, 0.2, 0.6, 0.1]
  const y = [0, 0, 0, 1, 1, 1]
  const m = computeMetrics(p, y)
  t.same(m.confusion.matrix, [[2, 1], [1, 2]])
  t.equal(m.accuracy, 4 / 6)
  t.equal(m.foodRecall, 2 / 3)
  t.equal(m.notFoodSpecificity, 2 / 3)
  t.ok(m.ece >= 0 && m.ece <= 1)
  t.equal(m.reliability.reduce((s, r) => s + r.n, 0), 6)
  const th = chooseUncertainThreshold(p, y, 0.99)
  t.equal(th.threshold, 0.61, 'lowest threshold above which every prediction is right')
  t.equal(th.coverage, 4 / 6)
})

t.test('manifest.csv parsing: quoting, labels, ambiguous rows skipped', async t => {
  t.same(parseCsvLine('a,"b,c",d'), ['a', 'b,c', 'd'])
  t.same(parseCsvLine('a,"say ""hi""",'), ['a', 'say "hi"', ''])
  const csv = 'class,file,width,height,source_package,version,source_path,licence,note\n' +
    'food,x.jpg,10,10,pkg,1,p,MIT,\nnot_food,y.jpg,10,10,other,1,p,"CC0, maybe",cut-out on white\nambiguous,z.jpg,1,1,pkg,1,p,MIT,hen on eggs\n'
  const items = parseManifestCsv(csv, '/d')
  t.equal(items.length, 2)
  t.equal(items[0].y, 0); t.equal(items[0].path, '/d/food/x.jpg')
  t.equal(items[1].y, 1); t.equal(items[1].licence, 'CC0, maybe'); t.equal(items[1].note, 'cut-out on white')
})
