import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { projectRoot } from '../../services/common/project.js'
import { LoadGenerator, type Upload } from './load-generator.js'
import { phonePhotos } from './phone-photos.js'

export type { Upload }

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

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

/** `concurrency` closed-loop clients for `seconds`: throughput of 200s, latency percentiles, statuses. */
export async function runLoad (baseUrl: string, uploads: Upload[], concurrency: number, seconds: number): Promise<LoadResult> {
  const url = new URL(baseUrl)
  const load = new LoadGenerator({ host: url.hostname, port: Number(url.port || 80), uploads, concurrency, idPrefix: `bench-c${concurrency}-` })
  const started = performance.now()
  load.start()
  await new Promise(resolve => setTimeout(resolve, seconds * 1000))
  const records = await load.stop()
  const elapsed = (performance.now() - started) / 1000
  const statuses: Record<string, number> = {}
  for (const r of records) {
    const key = String(r.status ?? r.error ?? 'error')
    statuses[key] = (statuses[key] ?? 0) + 1
  }
  const ok = records.filter(r => r.status === 200).length
  const latencies = records.map(r => r.endedAt - r.sentAt).sort((a, b) => a - b)
  return {
    concurrency,
    seconds: elapsed,
    requests: records.length,
    errors: records.length - ok,
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

/**
 * The benchmarks' photos. BENCH_PHOTOS=fixtures (default): the committed real JPEG fixtures, less the deliberately
 * odd ones (truncated, tiny, CMYK, ...); phone: four 12 MP phone-like JPEGs of 2-4 MB (scripts/bench/phone-photos.ts);
 * mixed: both; a path (containing a slash): the JPEGs of that directory, e.g. the peers' /tmp/peers-work/pictures/package/assets.
 */
export async function benchPhotos (kind = process.env.BENCH_PHOTOS ?? 'fixtures'): Promise<Array<{ name: string, bytes: Buffer }>> {
  if (kind === 'phone') return phonePhotos()
  if (kind === 'mixed') return [...await benchPhotos('fixtures'), ...await phonePhotos()]
  if (kind !== 'fixtures' && !kind.includes('/')) throw new Error(`BENCH_PHOTOS=${kind}: expected fixtures, phone, mixed or a directory of JPEGs`)
  const out: Array<{ name: string, bytes: Buffer }> = []
  const dirs = kind === 'fixtures' ? ['test/fixtures/photos/food', 'test/fixtures/photos/not_food', 'test/fixtures/images'] : [kind]
  for (const dir of dirs) {
    const full = resolve(projectRoot, dir)
    const names = await readdir(full).catch(() => [] as string[])
    for (const name of names.filter(n => /^[^.]+\.jpe?g$/i.test(n) && !/truncated|tiny|cmyk|grey|exif|progressive/.test(n)).sort()) {
      out.push({ name, bytes: await readFile(join(full, name)) })
    }
  }
  if (out.length === 0) throw new Error(`no photos found under ${dirs.join(', ')}`)
  return out
}

/**
 * The engine alone: `concurrency` submitters call classify back to back for `seconds`, cycling through the inputs.
 * Returns every call's latency (sorted, ms) and the elapsed seconds.
 */
export async function driveEngine<T> (classify: (input: T) => Promise<unknown>, inputs: T[], seconds: number, concurrency = 32): Promise<{ latencies: number[], elapsed: number }> {
  const latencies: number[] = []
  let i = 0
  const started = performance.now()
  const end = started + seconds * 1000
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      await classify(inputs[i++ % inputs.length])
      latencies.push(performance.now() - t0)
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { latencies, elapsed }
}
