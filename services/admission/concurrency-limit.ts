import { median } from '../common/stats.js'

/**
 * Admission control for inference requests: a limit on requests in flight (admitted and not yet answered) that
 * adapts to measured latency, in the manner of Netflix's concurrency-limits (Gradient2) and Envoy's adaptive
 * concurrency filter. A request over the limit is refused before its body is read, which is what keeps a refusal
 * cheap and the latency of admitted requests bounded whatever the offered load.
 *
 * Each window (WINDOW_MS, or more when few requests complete), the median latency of the requests completed in it
 * is compared with a baseline, the latency at the lowest limit: while latency stays within `tolerance` times the
 * baseline, the limit grows by its square root (room for queueing), smoothed; up to DEADBAND past it, the limit
 * stays; beyond, for two windows running, it shrinks at once in proportion (gradient = tolerance x baseline / now, at
 * least a half) plus one, so that sustained overload settles at about tolerance x the lowest limit. A batching
 * server's lone request is faster than any request can be at full throughput, so the baseline is at least what
 * Little's law gives for the lowest limit at the throughput measured under load (lowest limit / requests per
 * second): without that floor, a baseline taken while the server idled would hold the limit below what keeps it
 * busy. The fixed bounds keep it between what keeps every engine busy and the caps of the queue behind it. A window
 * counts as at the lowest limit only after one there already (its answers were admitted at that limit, not before
 * it came down). A baseline not measured again within BASELINE_TTL_MS (sustained
 * load keeps the server above its lowest limit) is forgotten, and the Little's-law floor, which follows the measured
 * throughput, stands in for it: a baseline only ever lowered would be lost under sustained overload, and Envoy's way
 * of measuring it again, pinning concurrency at its minimum for a while, refuses clients a server at capacity serves.
 */

export interface AdmissionOptions {
  /** A fixed limit (no adaptation), or undefined to adapt. */
  fixed?: number
  /** Lowest limit: enough requests in flight to keep every runner fed (runners x batch). */
  minLimit: number
  /** Highest limit: what the queue behind could hold anyway. */
  maxLimit: number
  /**
   * The limit never shrinks below this (default minLimit). The service sets twice the lowest limit: every runner
   * busy with a batch and one more batch waiting for each, the clients a server at capacity serves without a
   * refusal. Sustained overload settles there or a little above, so the floor costs nothing under overload, and it
   * keeps a noisy window from refusing clients a server at capacity was serving.
   */
  floor?: number
  /** How many times the unloaded latency the latency may grow to before the limit shrinks. */
  tolerance: number
  /** Clock, for tests; milliseconds. */
  now?: () => number
}

const WINDOW_MS = 250
const MIN_WINDOW_SAMPLES = 8
const BASELINE_TTL_MS = 30_000
const SMOOTHING = 0.2
/** How far past its target latency may be before the limit shrinks. */
const DEADBAND = 0.25

export interface AdmissionState {
  limit: number
  inFlight: number
  /** Median latency at the lowest limit, ms; NaN until measured. */
  baselineMs: number
  /** Median latency of the last window, ms; NaN until measured. */
  latencyMs: number
  admitted: number
  refused: number
  /** Seconds of requests in flight, summed since start: its rate is the mean in flight (what an autoscaler wants). */
  inFlightSeconds: number
  /** The same divided by the limit at the time: its rate is the mean utilisation of the limit, 0 to 1. */
  utilizationSeconds: number
}

export class AdmissionLimiter {
  private limitValue: number
  private inFlightCount = 0
  private windowStart: number
  private window: number[] = []
  private peakInFlight = 0
  /** Consecutive windows with no more than the lowest limit in flight. */
  private windowsAtLowest = 0
  /** Consecutive windows with latency past the deadband. */
  private windowsOver = 0
  private baseline = NaN
  private baselineAt = 0
  /** Completions per second while at least the lowest limit was in flight (exponentially weighted); NaN until measured. */
  private throughput = NaN
  private lastMedian = NaN
  private counts = { admitted: 0, refused: 0 }
  private inFlightMs = 0
  private utilizationMs = 0
  private accountedAt: number
  private readonly now: () => number

  constructor (private readonly options: AdmissionOptions) {
    if (options.minLimit < 1 || options.maxLimit < options.minLimit) throw new Error(`admission: bad bounds ${options.minLimit}..${options.maxLimit}`)
    this.now = options.now ?? (() => performance.now())
    // Start open, as a bounded queue would: a burst on a fresh server is served; latency then brings the limit down.
    this.limitValue = options.fixed ?? options.maxLimit
    this.windowStart = this.now()
    this.accountedAt = this.windowStart
  }

  /** Adds the time since the last change at the current in-flight count and limit to the running sums. */
  private account (): void {
    const now = this.now()
    const elapsed = now - this.accountedAt
    this.inFlightMs += this.inFlightCount * elapsed
    this.utilizationMs += this.inFlightCount / Math.max(1, this.limit) * elapsed
    this.accountedAt = now
  }

  get limit (): number { return Math.floor(this.limitValue) }
  private get floor (): number { return Math.min(this.options.maxLimit, Math.max(this.options.minLimit, this.options.floor ?? this.options.minLimit)) }
  get inFlight (): number { return this.inFlightCount }
  get adaptive (): boolean { return this.options.fixed === undefined }
  /** Median latency of the last window, ms; NaN until measured. */
  get latencyMs (): number { return this.lastMedian }

  state (): AdmissionState {
    this.account()
    return { limit: this.limit, inFlight: this.inFlightCount, baselineMs: this.effectiveBaseline(), latencyMs: this.lastMedian, ...this.counts, inFlightSeconds: this.inFlightMs / 1000, utilizationSeconds: this.utilizationMs / 1000 }
  }

  /** The measured baseline, raised to the lowest limit's latency at the measured throughput. */
  private effectiveBaseline (): number {
    const floor = Number.isNaN(this.throughput) ? 0 : this.options.minLimit / this.throughput * 1000
    return Number.isNaN(this.baseline) ? floor : Math.max(this.baseline, floor)
  }

  /** Whether tryAcquire would refuse now (counts nothing): every slot is taken. */
  get full (): boolean { return this.inFlightCount >= this.limit }

  /** Counts a refusal made without tryAcquire (because the limiter was full). */
  countRefusal (): void { this.counts.refused++ }

  /** Takes a slot if one is free; the caller must call release() exactly once for each true. */
  tryAcquire (): boolean {
    this.account()
    if (this.inFlightCount >= this.limit) {
      this.counts.refused++
      return false
    }
    this.inFlightCount++
    this.counts.admitted++
    if (this.inFlightCount > this.peakInFlight) this.peakInFlight = this.inFlightCount
    return true
  }

  /**
   * Frees a slot. `latencyMs` is the server's own time on the request (from its body received to its answer sent),
   * or undefined when it says nothing about load (the client went away, the request was refused downstream).
   */
  release (latencyMs?: number): void {
    this.account()
    this.inFlightCount = Math.max(0, this.inFlightCount - 1)
    if (latencyMs === undefined || !this.adaptive) return
    this.window.push(latencyMs)
    const now = this.now()
    if (now - this.windowStart < WINDOW_MS || this.window.length < MIN_WINDOW_SAMPLES) return
    // Enough in flight to keep every runner busy: completions per second are (about) the server's capacity.
    if (this.peakInFlight >= this.options.minLimit) {
      const rate = this.window.length / (now - this.windowStart) * 1000
      this.throughput = Number.isNaN(this.throughput) ? rate : 0.9 * this.throughput + 0.1 * rate
    }
    this.update(median(this.window), now)
    this.window = []
    this.windowStart = now
    this.peakInFlight = this.inFlightCount
  }

  private update (latency: number, now: number): void {
    this.account()
    this.lastMedian = latency
    // A window that had no more than the lowest limit in flight, after one that had no more either (its answers
    // were admitted at the lowest limit, not before the limit came down), measures the baseline itself.
    this.windowsAtLowest = this.peakInFlight <= this.options.minLimit ? this.windowsAtLowest + 1 : 0
    const atLowest = this.windowsAtLowest >= 2
    if (atLowest && (Number.isNaN(this.baseline) || latency < this.baseline || now - this.baselineAt > BASELINE_TTL_MS)) {
      this.baseline = latency
      this.baselineAt = now
    } else if (now - this.baselineAt > BASELINE_TTL_MS) {
      // Not measured again for a while (sustained load keeps the server above its lowest limit): forget it, and go
      // by the Little's-law floor, which follows the throughput, until a window at the lowest limit measures it.
      // Envoy measures it again by pinning concurrency low, which refuses clients a server at capacity could serve.
      this.baseline = NaN
    }
    const baseline = this.effectiveBaseline()
    if (!(baseline > 0)) return // nothing measured at the lowest limit yet, and no throughput: no reference
    // How far latency is past its target (tolerance x baseline): at or under it the limit may grow; up to
    // DEADBAND past it, it stays (a server just at its capacity, as many clients as keep it busy, sits there and must
    // not refuse them on a noisy window); beyond, it shrinks at once in proportion, plus one, so that sustained
    // overload settles at about tolerance x the lowest limit.
    const over = latency / (this.options.tolerance * baseline)
    this.windowsOver = over > 1 + DEADBAND ? this.windowsOver + 1 : 0
    let next = this.limitValue
    if (this.windowsOver >= 2) {
      // Two windows running: one noisy window of a server at capacity is not overload.
      next = this.limitValue * Math.max(0.5, 1 / over) + 1
    } else if (over <= 1 && this.peakInFlight >= this.limitValue / 2) {
      // Grow only a limit that was reached: an idle server says nothing about how much more it could take.
      next = this.limitValue + Math.sqrt(this.limitValue)
    }
    // Grow slowly, shrink at once: a limit too high costs every admitted request its latency now, while one too low
    // (never under what keeps the engines busy) costs only a little headroom until the next windows.
    const smoothed = next < this.limitValue ? next : (1 - SMOOTHING) * this.limitValue + SMOOTHING * next
    this.limitValue = Math.max(this.floor, Math.min(this.options.maxLimit, smoothed))
  }
}
