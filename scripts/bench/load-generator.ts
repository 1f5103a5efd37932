/**
 * Steady closed-loop load: `concurrency` workers, each sending POST /predict on kept-alive connections one after
 * the other (cycling through the uploads), every request with its own X-Request-Id. Every request is recorded with
 * what came back. Used by the load-balancer and shutdown tests and by npm run bench.
 */
import { Agent, request } from 'node:http'

export interface RequestRecord {
  id: string
  sentAt: number
  endedAt: number
  status?: number
  /** Network error code (ECONNREFUSED, ECONNRESET, ...) when no response came back. */
  error?: string
}

export interface Upload { body: Buffer, contentType: string }

export interface LoadOptions {
  host?: string
  port: number
  path?: string
  /** Sent in turn, one per request. */
  uploads: Upload[]
  concurrency: number
  /** Prefix of each request's X-Request-Id. */
  idPrefix: string
  /** Hard bound on the number of requests. */
  maxRequests?: number
  /** Pause of a worker after a network error, so a closed port is not hammered. */
  errorPauseMs?: number
  timeoutMs?: number
}

export class LoadGenerator {
  readonly records: RequestRecord[] = []
  private readonly agent: Agent
  private readonly inFlight = new Map<string, number>()
  private running = false
  private workers: Array<Promise<void>> = []
  private sent = 0

  constructor (private readonly opts: LoadOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency })
  }

  start (): void {
    this.running = true
    this.workers = Array.from({ length: this.opts.concurrency }, () => this.work())
  }

  /** Ids of the requests sent and not yet answered. */
  inFlightIds (): string[] {
    return [...this.inFlight.keys()]
  }

  /** Stops sending and resolves once every request sent has ended. */
  async stop (): Promise<RequestRecord[]> {
    this.running = false
    await Promise.all(this.workers)
    this.agent.destroy()
    return this.records
  }

  private async work (): Promise<void> {
    while (this.running && this.sent < (this.opts.maxRequests ?? Infinity)) {
      const upload = this.opts.uploads[this.sent % this.opts.uploads.length]
      const record = await this.send(`${this.opts.idPrefix}${++this.sent}`, upload)
      this.records.push(record)
      if (record.error !== undefined) await new Promise(resolve => setTimeout(resolve, this.opts.errorPauseMs ?? 50))
    }
  }

  private send (id: string, upload: Upload): Promise<RequestRecord> {
    const sentAt = Date.now()
    this.inFlight.set(id, sentAt)
    return new Promise<RequestRecord>(resolve => {
      let settled = false
      const done = (outcome: { status?: number, error?: string }) => {
        if (settled) return
        settled = true
        this.inFlight.delete(id)
        resolve({ id, sentAt, endedAt: Date.now(), ...outcome })
      }
      const req = request({
        host: this.opts.host ?? '127.0.0.1',
        port: this.opts.port,
        path: this.opts.path ?? '/predict',
        method: 'POST',
        agent: this.agent,
        timeout: this.opts.timeoutMs ?? 60_000,
        headers: { 'content-type': upload.contentType, 'content-length': upload.body.length, 'x-request-id': id }
      }, res => {
        res.resume()
        res.on('end', () => done({ status: res.statusCode }))
        res.on('error', err => done({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })))
      req.on('error', err => done({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
      req.end(upload.body)
    })
  }
}

export interface LoadSummary {
  sent: number
  answered: number
  failed: number
  /** Failed requests by status or error code. */
  failures: Record<string, number>
}

/** Answered: a 2xx response. Failed: anything else, an error status or no response at all. */
export function summarize (records: RequestRecord[]): LoadSummary {
  const failures: Record<string, number> = {}
  let answered = 0
  for (const record of records) {
    if (record.status !== undefined && record.status >= 200 && record.status < 300) answered++
    else {
      const key = record.status !== undefined ? `HTTP ${record.status}` : String(record.error)
      failures[key] = (failures[key] ?? 0) + 1
    }
  }
  return { sent: records.length, answered, failed: records.length - answered, failures }
}
