/**
 * Retries for the SDK, as gRPC clients do them: a refusal under load (503, 429) is retried after its
 * Retry-After with jitter, a connection that fails is retried with exponential backoff for calls that change
 * nothing, and a retry budget (gRPC's retry throttling) stops retries once most recent calls are refused, so
 * that clients backing off never become a retry storm.
 */

export interface RetryOptions {
  /** Attempts per call, the first included (default 3). */
  maxAttempts?: number
  /** The longest wait before one retry, in ms (default 30 000); a longer Retry-After is not waited for. */
  maxDelayMs?: number
  /** Retry budget: tokens start at maxTokens (default 10); a refused or failed attempt takes one, a success gives back tokenRatio (default 0.1); retries stop while tokens are at or below half. */
  budget?: { maxTokens?: number, tokenRatio?: number }
  /** Called before each wait, for logs and tests. */
  onRetry?: (event: { attempt: number, delayMs: number, reason: string }) => void
}

const RETRIED_STATUSES = new Set([429, 503])
/** Calls that change nothing on the service: a failed connection may be retried. Classifying is one of them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const SAFE_POSTS = /\/(predict|infer)$/

/** gRPC-style retry throttling, shared by every call of one client. */
export class RetryBudget {
  private tokens: number
  private readonly maxTokens: number
  private readonly tokenRatio: number

  constructor (options: RetryOptions['budget'] = {}) {
    this.maxTokens = options.maxTokens ?? 10
    this.tokenRatio = options.tokenRatio ?? 0.1
    this.tokens = this.maxTokens
  }

  get allowsRetry (): boolean { return this.tokens > this.maxTokens / 2 }
  onFailure (): void { this.tokens = Math.max(0, this.tokens - 1) }
  onSuccess (): void { this.tokens = Math.min(this.maxTokens, this.tokens + this.tokenRatio) }
}

function sleep (ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(signal.reason); return }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Seconds of a Retry-After header (a number of seconds, or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs (header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** A 503 DEADLINE_EXCEEDED: the caller's own deadline cannot be met, and trying again with it will not help. */
async function refusedForItsDeadline (response: Response): Promise<boolean> {
  try {
    return (await response.clone().json() as { code?: unknown }).code === 'DEADLINE_EXCEEDED'
  } catch {
    return false
  }
}

/** A fetch that retries as RetryOptions says; what openapi-fetch calls for every request of the client. */
export function retryingFetch (options: RetryOptions = {}, base: (request: Request) => Promise<Response> = request => fetch(request)): (request: Request) => Promise<Response> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3)
  const maxDelayMs = options.maxDelayMs ?? 30_000
  const budget = new RetryBudget(options.budget)
  return async function fetchWithRetries (request: Request): Promise<Response> {
    const networkRetryable = SAFE_METHODS.has(request.method) || (request.method === 'POST' && SAFE_POSTS.test(new URL(request.url).pathname))
    for (let attempt = 1; ; attempt++) {
      // A body can be read once: every attempt but the last sends a copy. Whether to retry is decided after the
      // attempt fails, against the budget as it is then (concurrent calls refused together spend it together).
      const sent = attempt >= maxAttempts ? request : request.clone()
      let response: Response
      try {
        response = await base(sent)
      } catch (err) {
        budget.onFailure()
        if (attempt >= maxAttempts || !budget.allowsRetry || !networkRetryable || request.signal.aborted) throw err
        const delayMs = Math.min(maxDelayMs, Math.random() * 100 * 2 ** attempt) // full jitter
        options.onRetry?.({ attempt, delayMs, reason: (err as Error).message })
        await sleep(delayMs, request.signal)
        continue
      }
      if (!RETRIED_STATUSES.has(response.status)) {
        budget.onSuccess()
        return response
      }
      budget.onFailure()
      const after = retryAfterMs(response.headers.get('retry-after')) ?? 1000
      if (attempt >= maxAttempts || !budget.allowsRetry || after > maxDelayMs || await refusedForItsDeadline(response)) return response
      // Never sooner than asked; up to half as long again, so that refused clients do not all come back at once.
      const delayMs = Math.min(maxDelayMs, after * (1 + Math.random() / 2))
      options.onRetry?.({ attempt, delayMs, reason: `HTTP ${response.status}` })
      await response.body?.cancel()
      await sleep(delayMs, request.signal)
    }
  }
}
