import t from 'tap'
import { Readiness, requiredModels } from '../../../services/admission/readiness.js'

t.test('readiness moves forwards only: starting, ready, draining', async t => {
  const readiness = new Readiness()
  t.equal(readiness.state, 'starting')
  t.equal(readiness.ready, false)
  const started = readiness.since
  await new Promise(resolve => setTimeout(resolve, 5))
  readiness.markReady()
  t.equal(readiness.state, 'ready')
  t.equal(readiness.ready, true)
  t.ok(readiness.since > started, 'since moves with the state')
  t.equal(readiness.drain(), true)
  t.equal(readiness.state, 'draining')
  t.equal(readiness.ready, false)
  t.equal(readiness.draining, true)
  readiness.markReady()
  t.equal(readiness.state, 'draining', 'a draining instance never becomes ready again')
  t.equal(readiness.drain(), false, 'draining twice is a no-op')
})

t.test('an instance can drain before it was ever ready (a signal during boot)', async t => {
  const readiness = new Readiness()
  readiness.drain()
  readiness.markReady()
  t.equal(readiness.state, 'draining')
})

t.test('the required models: REQUIRED_MODELS, or the default model when it names none', async t => {
  t.same(requiredModels('', 'food'), ['food'])
  t.same(requiredModels('food,food-v2', 'food'), ['food', 'food-v2'])
  t.same(requiredModels('food-v2', 'food'), ['food-v2'], 'the default model is not added to a list')
})
