import t from 'tap'
import { assertGrouped, groupedKFold, leaveOneSourceOut } from '../../../scripts/train/grouped.js'
import { evaluationGroups, SMALL_GROUP } from '../../../scripts/train/cv.js'

const sources = ['a', 'a', 'b', 'c', 'c', 'c', 'd', 'a', 'b', 'e']

t.test('leave-one-source-out never puts a source on both sides', async t => {
  const folds = leaveOneSourceOut(sources)
  t.equal(folds.length, 5)
  for (const f of folds) {
    const train = new Set(f.train.map(i => sources[i]))
    for (const i of f.test) t.notOk(train.has(sources[i]), `fold ${f.heldOut.join()} leaks ${sources[i]}`)
    t.equal(f.train.length + f.test.length, sources.length)
  }
  t.same(folds.flatMap(f => f.test).sort((a, b) => a - b), sources.map((_, i) => i), 'every item tested exactly once')
  t.doesNotThrow(() => { assertGrouped(sources, folds) })
})

t.test('grouped k-fold keeps sources whole and balances fold sizes', async t => {
  const folds = groupedKFold(sources, 3)
  t.equal(folds.length, 3)
  assertGrouped(sources, folds)
  for (const f of folds) {
    const held = new Set(f.heldOut)
    t.ok(f.test.every(i => held.has(sources[i])))
    t.ok(f.train.every(i => !held.has(sources[i])))
  }
})

t.test('assertGrouped catches a leak', async t => {
  t.throws(() => { assertGrouped(sources, [{ heldOut: ['a'], train: [1, 2], test: [0] }]) }, /both train and test/)
})

t.test('tiny sources are pooled into one held-out group', async t => {
  const items = [...Array(12).fill('big'), ...Array(3).fill('tiny1'), ...Array(2).fill('tiny2')].map(source => ({ source }))
  const g = evaluationGroups(items)
  t.equal(g.filter(x => x === 'big').length, 12)
  t.equal(g.filter(x => x === SMALL_GROUP).length, 5)
})
