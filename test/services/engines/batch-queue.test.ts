import t from 'tap'
import { BatchQueue, type BatchRunner } from '../../../services/engines/batch-queue.js'
import { OverloadedError } from '../../../services/common/errors.js'

/** A runner whose batches finish when the test says, recording what it was given. */
function controlledRunner (id: string) {
  const batches: number[][] = []
  const pending: Array<() => void> = []
  const runner: BatchRunner & { batches: number[][], finishOne: () => void, failNext: boolean } = {
    id,
    batches,
    failNext: false,
    run (inputs) {
      batches.push(inputs.map(x => x[0] / 40))
      if (runner.failNext) { runner.failNext = false; return Promise.reject(new Error('worker crashed')) }
      return new Promise(resolve => pending.push(() => resolve({ outputs: inputs.map(x => Float32Array.of(x[0] / 40, 1 - x[0] / 40)) })))
    },
    finishOne () { pending.shift()?.() },
    memory: async () => ({ numTensors: 0, numBytes: 0 }),
    close: async () => {}
  }
  return runner
}

/** A one-byte stand-in for an image, carrying v (in 40ths, exact for the values used) for the runner to answer. */
const item = (v: number) => Uint8Array.of(Math.round(v * 40))
const tick = () => new Promise(resolve => setImmediate(resolve))
const options = { maxBatchSize: 3, maxBatchDelayMs: 20, maxQueue: 5, initialItemMs: 10 }

t.test('an idle server dispatches a lone request at once', async t => {
  const runner = controlledRunner('a')
  const queue = new BatchQueue([runner], options)
  const answer = queue.submit(item(0.25))
  await tick()
  t.same(runner.batches, [[0.25]], 'no waiting for company')
  runner.finishOne()
  const result = await answer
  t.same(Array.from(result.probabilities), [0.25, 0.75])
  t.equal(result.batchSize, 1)
})

t.test('while runners are busy, requests gather into batches of at most maxBatchSize', async t => {
  const runner = controlledRunner('a')
  const queue = new BatchQueue([runner], options)
  const answers = [queue.submit(item(1))]
  await tick()
  for (let i = 2; i <= 5; i++) answers.push(queue.submit(item(i)))
  t.equal(queue.depth, 4)
  runner.finishOne()
  await tick(); await tick()
  t.same(runner.batches, [[1], [2, 3, 4]], 'a full batch goes as soon as the runner is free')
  runner.finishOne()
  await tick(); await tick()
  t.same(runner.batches[2], [5])
  runner.finishOne()
  const results = await Promise.all(answers)
  t.same(results.map(r => r.batchSize), [1, 3, 3, 3, 1])
  t.same(results.map(r => r.probabilities[0]), [1, 2, 3, 4, 5], 'each request gets its own answer')
})

t.test('the requests of a batch share what is known of it: its size, its times, what each was submitted with, what the runner measured', async t => {
  const runner = controlledRunner('a')
  const ran = { startMs: 1_700_000_000_000, endMs: 1_700_000_000_012, thread: { name: 'a', id: 3 } }
  const run = runner.run.bind(runner)
  runner.run = async inputs => ({ ...await run(inputs), ran })
  const queue = new BatchQueue([runner], options)
  const answers = [queue.submit(item(1), Infinity, 'first')]
  await tick()
  answers.push(queue.submit(item(2), Infinity, 'second'), queue.submit(item(3)), queue.submit(item(4), Infinity, 'fourth'))
  runner.finishOne()
  await tick(); await tick()
  runner.finishOne()
  const [alone, ...together] = await Promise.all(answers)
  t.same(alone.batch.links, ['first'])
  t.equal(together[0].batch, together[2].batch, 'one object for the whole batch')
  t.same(together[0].batch.links, ['second', undefined, 'fourth'], 'in batch order, undefined for a request submitted without one')
  t.equal(together[0].batch.size, 3)
  t.same(together[0].batch.ran, ran, 'the runner\'s own measure, as it gave it')
  const { startedAt, endedAt } = together[0].batch
  t.ok(startedAt >= alone.batch.endedAt && endedAt > startedAt, 'main-thread times: after the first batch, in order')
  t.equal(together[1].inferMs, endedAt - startedAt, 'inferMs is the batch\'s main-thread time')
})

t.test('a partial batch waits at most maxBatchDelayMs while another runner is busy', async t => {
  const a = controlledRunner('a')
  const b = controlledRunner('b')
  const queue = new BatchQueue([a, b], options)
  const first = queue.submit(item(1))
  await tick()
  const second = queue.submit(item(2))
  await tick()
  t.equal(a.batches.length + b.batches.length, 1, 'the second request waits for company while one runner is busy')
  await new Promise(resolve => setTimeout(resolve, 40))
  t.equal(a.batches.length + b.batches.length, 2, 'and goes alone after the delay')
  a.finishOne(); b.finishOne()
  await Promise.all([first, second])
})

t.test('a full queue answers 503 QUEUE_FULL with a Retry-After estimate', async t => {
  const runner = controlledRunner('a')
  const queue = new BatchQueue([runner], { ...options, maxQueue: 2 })
  const accepted = [queue.submit(item(1))]
  await tick()
  accepted.push(queue.submit(item(2)), queue.submit(item(3)))
  const refused = await queue.submit(item(4)).catch(e => e) as OverloadedError
  t.type(refused, OverloadedError)
  t.match(refused, { statusCode: 503, code: 'QUEUE_FULL', message: /queue is full \(2 requests waiting, MAX_QUEUE\)/ })
  t.ok(refused.retryAfterSeconds >= 1)
  for (let i = 0; i < 3; i++) { runner.finishOne(); await tick(); await tick() }
  t.equal((await Promise.all(accepted)).length, 3, 'the accepted requests are all answered')
})

t.test('a deadline that cannot be met is refused at once; one that passes in the queue is dropped before inference', async t => {
  const runner = controlledRunner('a')
  const queue = new BatchQueue([runner], { ...options, initialItemMs: 100 })
  const busy = queue.submit(item(1))
  await tick()
  const started = performance.now()
  const refused = await queue.submit(item(2), performance.now() + 50).catch(e => e)
  t.match(refused, { statusCode: 503, code: 'DEADLINE_EXCEEDED', message: /cannot be met/ })
  t.ok(performance.now() - started < 20, 'refused without waiting')
  const expiring = new BatchQueue([controlledRunner('b')], { ...options, initialItemMs: 1 })
  const blocker = expiring.submit(item(1))
  await tick()
  const late = expiring.submit(item(2), performance.now() + 30)
  await new Promise(resolve => setTimeout(resolve, 50))
  const runnerB = (expiring as unknown as { runners: Array<ReturnType<typeof controlledRunner>> }).runners[0]
  runnerB.finishOne()
  await t.rejects(late, { code: 'DEADLINE_EXCEEDED', message: /deadline passed after \d+ ms in the queue/ })
  t.same(runnerB.batches, [[1]], 'the expired request never reached the runner')
  runner.finishOne()
  await Promise.all([busy, blocker])
})

t.test('a failed batch is retried once, so a crashed worker costs no request', async t => {
  const runner = controlledRunner('a')
  runner.failNext = true
  const queue = new BatchQueue([runner], options)
  const answer = queue.submit(item(0.5))
  await tick(); await tick()
  runner.finishOne()
  t.same(Array.from((await answer).probabilities), [0.5, 0.5])
  t.same(runner.batches, [[0.5], [0.5]])
})

t.test('close answers every accepted request, then refuses new ones', async t => {
  const runner = controlledRunner('a')
  const queue = new BatchQueue([runner], options)
  const answers = [queue.submit(item(1)), queue.submit(item(2))]
  await tick()
  const closed = queue.close()
  await t.rejects(queue.submit(item(3)), { code: 'SHUTTING_DOWN', statusCode: 503 })
  runner.finishOne(); await tick(); await tick(); runner.finishOne()
  await closed
  t.equal((await Promise.all(answers)).length, 2)
})
