import { Agent, request } from 'node:http'

export interface LoadResult {
  concurrency: number
  seconds: number
  requests: number
  errors: number
  statuses: Record<string, number>
  rps: number
  p50: number
  p95: number
  p99: number
}

export interface Upload { body: Buffer, contentType: string }

function post (agent: Agent, url: URL, upload: Upload): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': upload.contentType, 'content-length': upload.body.length } }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(upload.body)
  })
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

/** Closed-loop load: `concurrency` clients each send the next upload as soon as the previous answer arrives. */
export async function runLoad (baseUrl: string, uploads: Upload[], concurrency: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const url = new URL('/predict', baseUrl)
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  let next = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const upload = uploads[next++ % uploads.length]
      const t0 = performance.now()
      let status: number | string
      try { status = await post(agent, url, upload) } catch (err) { status = (err as NodeJS.ErrnoException).code ?? 'error' }
      latencies.push(performance.now() - t0)
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status !== 200) errors++
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const ok = latencies.length - errors
  return {
    concurrency,
    seconds: elapsed,
    requests: latencies.length,
    errors,
    statuses,
    rps: ok / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99)
  }
}

export function multipartUpload (photo: Buffer, filename: string): Upload {
  const boundary = '----bench-boundary-5b1f0c'
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`)
  return { body: Buffer.concat([head, photo, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` }
}
