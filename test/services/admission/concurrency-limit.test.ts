import t from 'tap'
import { AdmissionLimiter } from '../../../services/admission/concurrency-limit.js'

/** A limiter on a clock the test moves, fed windows of completed requests at a given latency. */
function harness (opts: { minLimit: number, maxLimit: number, tolerance: number, floor?: number }) {
  let now = 0
  const limiter = new AdmissionLimiter({ ...opts, now: () => now })
  /** Fills the limit, then completes `count` requests at `latencyMs`, re-admitting each one: a saturated server doing 100 requests/s. */
  const saturatedWindow = (latencyMs: number, count = 30): void => {
    while (limiter.tryAcquire()) {}
    for (let i = 0; i < count; i++) {
      now += 10
      limiter.release(latencyMs)
      limiter.tryAcquire()
    }
  }
  const drain = (): void => { while (limiter.inFlight > 0) limiter.release() }
  return { limiter, saturatedWindow, drain, advance: (ms: number) => { now += ms } }
}

t.test('a fixed limit admits that many requests and no more, each release frees one slot', async t => {
  const limiter = new AdmissionLimiter({ fixed: 3, minLimit: 1, maxLimit: 3, tolerance: 3 })
  t.same([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()], [true, true, true, false])
  limiter.release(5)
  t.equal(limiter.tryAcquire(), true, 'a freed slot is taken again')
  t.equal(limiter.tryAcquire(), false)
  for (let i = 0; i < 50; i++) { limiter.release(10_000); limiter.tryAcquire() }
  t.equal(limiter.limit, 3, 'a fixed limit ignores latency')
  t.match(limiter.state(), { admitted: 54, refused: 2, inFlight: 3 })
})

t.test('the adaptive limit grows while latency stays near its unloaded value, and shrinks when it grows past the tolerance', async t => {
  const { limiter, saturatedWindow } = harness({ minLimit: 4, maxLimit: 80, tolerance: 3 })
  t.equal(limiter.limit, 80, 'starts open, at the maximum')
  for (let i = 0; i < 20; i++) saturatedWindow(limiter.limit * 10) // 100 requests/s: latency is limit / 100 s (Little's law)
  const low = limiter.limit
  t.ok(low <= 20, `latency 20x the lowest limit's at this throughput: the limit came down from 80 to ${low}`)
  for (let i = 0; i < 20; i++) saturatedWindow(40)
  const grown = limiter.limit
  t.ok(grown > 20, `flat latency at saturation: the limit grew back to ${grown}`)
  for (let i = 0; i < 6; i++) saturatedWindow(400) // ten times the best window: past the tolerance of 3
  t.ok(limiter.limit < grown / 2, `latency 10x the unloaded: the limit shrank from ${grown} to ${limiter.limit} within 1.8 s`)
  t.ok(limiter.limit >= 4 && limiter.limit <= 8, `but not below the minimum that keeps the runners fed (${limiter.limit})`)
  t.match(limiter.state(), { baselineMs: 40, latencyMs: 400 })
  for (let i = 0; i < 4; i++) saturatedWindow(400)
  t.equal(limiter.state().baselineMs, 400, 'a server as slow at the lowest limit (two windows running) has a new baseline, as Envoy\'s minimum-RTT measurement would take it')
})

t.test('under sustained overload the limit settles where latency is about the tolerance times the baseline, and stays there', async t => {
  const { limiter, saturatedWindow } = harness({ minLimit: 4, maxLimit: 200, tolerance: 3 })
  saturatedWindow(25) // the unloaded latency: 25 ms
  // A server doing 100 requests/s: at saturation, latency = limit / 100 s (Little's law), at least 25 ms.
  const settledAt: number[] = []
  for (let i = 0; i < 1000; i++) { // 300 s of windows: ten baseline measurements
    saturatedWindow(Math.max(25, limiter.limit * 10))
    if (i % 100 === 99) settledAt.push(limiter.limit)
  }
  const { baselineMs } = limiter.state()
  t.equal(baselineMs, 40, 'the baseline: the latency at the lowest limit (4 in flight at 100/s: 40 ms)')
  for (const limit of settledAt.slice(2)) {
    t.ok(limit * 10 >= 2 * baselineMs && limit * 10 <= 5 * baselineMs, `latency ${limit * 10} ms against a baseline of ${baselineMs} ms and tolerance 3: no drift, the limit (${limit}) well above the lowest (4)`)
  }
})

t.test('an idle server does not grow its limit, and the bounds hold', async t => {
  const { limiter, advance } = harness({ minLimit: 4, maxLimit: 10, tolerance: 3 })
  let admitted = 0
  for (let i = 0; i < 400; i++) {
    if (limiter.tryAcquire()) admitted++
    advance(20)
    limiter.release(30)
  }
  t.equal(admitted, 400, 'every lone request admitted')
  t.equal(limiter.limit, 10, 'one request at a time: the limit stays where it was')
  const busy = harness({ minLimit: 4, maxLimit: 10, tolerance: 3 })
  for (let i = 0; i < 100; i++) busy.saturatedWindow(30)
  t.equal(busy.limiter.limit, 10, 'capped at the maximum')
  t.throws(() => new AdmissionLimiter({ minLimit: 0, maxLimit: 1, tolerance: 2 }), /bad bounds/)
})

t.test('releases without a latency (a client gone, a refusal downstream) free the slot and teach nothing', async t => {
  const { limiter, saturatedWindow, drain } = harness({ minLimit: 4, maxLimit: 80, tolerance: 3 })
  for (let i = 0; i < 5; i++) saturatedWindow(40)
  const before = limiter.state()
  drain()
  t.equal(limiter.inFlight, 0)
  t.equal(limiter.state().latencyMs, before.latencyMs, 'no window closed on latency-less releases')
  limiter.release()
  t.equal(limiter.inFlight, 0, 'never below zero')
})

t.test('a baseline taken while idle does not hold the limit below what keeps a batching server busy', async t => {
  const { limiter, saturatedWindow, advance } = harness({ minLimit: 4, maxLimit: 200, tolerance: 3 })
  for (let i = 0; i < 80; i++) { limiter.tryAcquire(); advance(10); limiter.release(10) } // lone requests: 10 ms, for three windows
  t.equal(limiter.state().baselineMs, 10, 'idle: the baseline is the lone request')
  for (let i = 0; i < 60; i++) saturatedWindow(Math.max(10, limiter.limit * 10)) // 18 s at 100 requests/s
  const { baselineMs, limit } = limiter.state()
  t.equal(baselineMs, 40, 'under load it is raised to the lowest limit at the measured throughput: 4 / 100 per s')
  t.ok(limit >= 12, `so the limit stays at ${limit}, not at the 3 that 3 x 10 ms would allow`)
})

t.test('sixteen steady clients of a server batching for 2 workers x 4 are never refused', async t => {
  const { limiter, advance } = harness({ minLimit: 8, maxLimit: 72, tolerance: 2 })
  for (let i = 0; i < 20; i++) { limiter.tryAcquire(); advance(10); limiter.release(30) } // idle: a lone request takes 30 ms
  for (let i = 0; i < 16; i++) t.equal(limiter.tryAcquire(), true, `client ${i + 1} admitted`)
  let refused = 0
  let lowest = Infinity
  for (let i = 0; i < 3000; i++) { // 30 s at 100 requests/s: each client waits 160 ms (Little's law)
    advance(10)
    limiter.release(160)
    if (!limiter.tryAcquire()) { refused++; break }
    lowest = Math.min(lowest, limiter.limit)
  }
  t.equal(refused, 0, 'no refusal')
  t.ok(lowest >= 16, `the limit never fell below the 16 in flight (lowest ${lowest}, now ${limiter.limit})`)
})

t.test('with a floor of twice the lowest limit, sixteen clients on a noisy server at capacity are never refused', async t => {
  const { limiter, advance } = harness({ minLimit: 8, maxLimit: 72, tolerance: 2, floor: 16 })
  for (let i = 0; i < 20; i++) { limiter.tryAcquire(); advance(10); limiter.release(30) }
  for (let i = 0; i < 16; i++) limiter.tryAcquire()
  let refused = 0
  let lowest = Infinity
  // 30 s at 100 requests/s with each client's latency 160 ms +- 60%, windows of noise that pass the deadband.
  let seed = 1
  const noise = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
  for (let i = 0; i < 3000; i++) {
    advance(10)
    const burst = Math.floor(i / 50) % 3 === 0 ? 1.6 : 1
    limiter.release(160 * burst * (0.4 + 1.2 * noise()))
    if (!limiter.tryAcquire()) refused++
    lowest = Math.min(lowest, limiter.limit)
  }
  t.equal(refused, 0, 'no refusal')
  t.equal(lowest, 16, 'the limit came down to its floor and no further')
  const without = harness({ minLimit: 8, maxLimit: 72, tolerance: 2 })
  seed = 1
  for (let i = 0; i < 16; i++) without.limiter.tryAcquire()
  let refusedWithout = 0
  for (let i = 0; i < 3000; i++) {
    without.advance(10)
    const burst = Math.floor(i / 50) % 3 === 0 ? 1.6 : 1
    without.limiter.release(160 * burst * (0.4 + 1.2 * noise()))
    if (!without.limiter.tryAcquire()) refusedWithout++
  }
  t.ok(refusedWithout > 0, `without the floor the same noise refuses clients (${refusedWithout})`)
})

t.test('the in-flight and utilisation integrals: their rate over a window is the mean in flight and the mean share of the limit', async t => {
  let now = 0
  const limiter = new AdmissionLimiter({ fixed: 4, minLimit: 1, maxLimit: 4, tolerance: 3, now: () => now })
  limiter.tryAcquire()
  limiter.tryAcquire()
  now += 1000 // 2 of 4 for 1 s
  limiter.tryAcquire()
  limiter.tryAcquire()
  now += 500 // 4 of 4 for 0.5 s
  limiter.release()
  limiter.release()
  limiter.release()
  limiter.release()
  now += 500 // none for 0.5 s
  const { inFlightSeconds, utilizationSeconds } = limiter.state()
  t.equal(inFlightSeconds, 2 * 1 + 4 * 0.5, 'request-seconds in flight')
  t.equal(utilizationSeconds, 0.5 * 1 + 1 * 0.5, 'share of the limit, integrated')
  t.equal(utilizationSeconds / 2, 0.5, 'over these 2 s the limit was half used on average')
})
