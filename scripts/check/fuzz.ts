/**
 * npm run fuzz: mutates valid images (bit flips, byte overwrites, truncation, header edits that keep checksums valid,
 * slice moves, splices of two images) and sends them concurrently to a forked server over loopback for a bounded
 * time. Passes when no answer is a 5xx other than 503, every answer is a 200 or the one error envelope, no request
 * hangs, the server survives, and its RSS and live tensor count are flat at the end. Prints counts by status.
 * Memory: the first half of the time sends new cases, the second half the same cases again. A leak grows with every
 * request; the allocator's high-water marks, once the first pass reached them, do not grow when the same inputs come
 * again: the RSS rise over the replay is held to FUZZ_RSS_LATE_GROWTH_MB, the rise over the whole run to
 * FUZZ_RSS_GROWTH_MB.
 * Env: FUZZ_SECONDS (60), FUZZ_SEED (1), FUZZ_CONCURRENCY (12), FUZZ_RSS_GROWTH_MB (512, over the whole run),
 * FUZZ_RSS_LATE_GROWTH_MB (64, over the replay), FUZZ_OUT (where failing and slow inputs are written; default
 * $TMPDIR/fuzz-<seed>), FUZZ_SLOW_MS (3000: slower answers are listed and saved), FUZZ_ONLY (comma-separated case
 * numbers: replay just those cases of the seed), and the service's own variables (INFERENCE_BACKEND, MAX_QUEUE, ...).
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { sniffFormat } from '../../services/image/probe.js'
import { projectRoot } from '../../services/common/project.js'
import { mulberry32 } from '../train/common.js'
import { finish, mib, startServer, type ServerStats } from '../../test/corpus/server-harness.js'

const seconds = Number(process.env.FUZZ_SECONDS ?? 60)
const seed = Number(process.env.FUZZ_SEED ?? 1)
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 12)
const growthLimit = Number(process.env.FUZZ_RSS_GROWTH_MB ?? 512) * 1024 * 1024
const lateGrowthLimit = Number(process.env.FUZZ_RSS_LATE_GROWTH_MB ?? 64) * 1024 * 1024
const outDir = process.env.FUZZ_OUT ?? join(tmpdir(), `fuzz-${seed}`)
const requestTimeoutMs = 30_000

// Each case draws from its own stream, seeded by (FUZZ_SEED, case number): case n is the same input on every run,
// whatever order the concurrent answers come back in.
let random = mulberry32(seed)
const int = (n: number): number => Math.floor(random() * n)
const pick = <T>(items: readonly T[]): T => items[int(items.length)]
const startCase = (n: number): void => { random = mulberry32(Math.imul(seed, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) }
const EXTREMES = [0, 1, 2, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0xffffffff]

function find (buf: Buffer, text: string, from = 0): number {
  return buf.indexOf(Buffer.from(text, 'latin1'), from)
}

/** Edits a size or layout field in the format's header, keeping the PNG chunk CRC valid so the edit reaches the decoder. */
function headerEdit (input: Buffer): Buffer {
  const buf = Buffer.from(input)
  const format = sniffFormat(buf)
  const u16 = (): number => int(2) === 0 ? pick(EXTREMES) & 0xffff : int(0x10000)
  const u32 = (): number => int(2) === 0 ? pick(EXTREMES) >>> 0 : int(0x100000000) >>> 0
  if (format === 'jpeg') {
    for (let at = 2; at + 10 < buf.length;) {
      if (buf[at] !== 0xff) break
      const code = buf[at + 1]
      if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
        const field = int(4)
        if (field === 0) buf.writeUInt16BE(u16(), at + 5)
        else if (field === 1) buf.writeUInt16BE(u16(), at + 7)
        else if (field === 2) buf[at + 4] = pick([1, 8, 12, 16, 255])
        else buf[at + 9] = pick([0, 1, 2, 3, 4, 5, 255])
        return buf
      }
      at += 2 + buf.readUInt16BE(at + 2)
    }
  } else if (format === 'png' && buf.length > 33) {
    const field = int(4)
    if (field === 0) buf.writeUInt32BE(u32(), 16)
    else if (field === 1) buf.writeUInt32BE(u32(), 20)
    else if (field === 2) buf[24] = pick([1, 2, 4, 8, 16, 0, 3, 255])
    else buf[25] = pick([0, 1, 2, 3, 4, 5, 6, 7, 255])
    buf.writeUInt32BE(crc32(buf.subarray(12, 29)), 29)
    return buf
  } else if (format === 'gif' && buf.length > 13) {
    buf.writeUInt16LE(u16(), pick([6, 8]))
    const descriptor = buf.indexOf(0x2c, 13)
    if (descriptor > 0 && descriptor + 9 < buf.length && int(2) === 0) buf.writeUInt16LE(u16(), descriptor + pick([5, 7]))
    return buf
  } else if (format === 'webp') {
    const vp8x = find(buf, 'VP8X')
    if (vp8x > 0 && vp8x + 18 <= buf.length) { buf.writeUIntLE(int(0x1000000), vp8x + 12 + pick([0, 3]), 3); return buf }
    const vp8 = find(buf, 'VP8 ')
    if (vp8 > 0 && vp8 + 18 <= buf.length) { buf.writeUInt16LE(u16(), vp8 + 14 + pick([0, 2])); return buf }
  } else if (format === 'avif') {
    const ispe = find(buf, 'ispe')
    if (ispe > 0 && ispe + 16 <= buf.length) { buf.writeUInt32BE(u32(), ispe + 8 + pick([0, 4])); return buf }
  } else if (format === 'tiff' && buf.length > 8) {
    const le = buf[0] === 0x49
    const ifd = le ? buf.readUInt32LE(4) : buf.readUInt32BE(4)
    if (ifd + 2 < buf.length) {
      const count = le ? buf.readUInt16LE(ifd) : buf.readUInt16BE(ifd)
      const entry = ifd + 2 + 12 * int(Math.max(1, count))
      if (entry + 12 <= buf.length) {
        if (le) buf.writeUInt32LE(u32(), entry + 8); else buf.writeUInt32BE(u32(), entry + 8)
        return buf
      }
    }
  }
  if (buf.length < 4) return buf
  buf.writeUInt32BE(u32(), int(Math.min(buf.length - 3, 256)))
  return buf
}

type Mutator = (buf: Buffer, other: Buffer) => Buffer
const MUTATORS: Record<string, Mutator> = {
  bitflip: buf => {
    const out = Buffer.from(buf)
    for (let i = 1 + int(64); i > 0; i--) out[int(out.length)] ^= 1 << int(8)
    return out
  },
  bytes: buf => {
    const out = Buffer.from(buf)
    for (let i = 1 + int(16); i > 0; i--) out[int(out.length)] = pick([0, 0xff, 0x7f, 0x80, int(256)])
    return out
  },
  truncate: buf => buf.subarray(0, int(2) === 0 ? int(buf.length) : Math.max(0, buf.length - 1 - int(64))),
  header: buf => headerEdit(buf),
  slices: buf => {
    const a = int(buf.length)
    const b = Math.min(buf.length, a + 1 + int(4096))
    const at = int(buf.length)
    switch (int(3)) {
      case 0: return Buffer.concat([buf.subarray(0, at), buf.subarray(a, b), buf.subarray(at)])
      case 1: return Buffer.concat([buf.subarray(0, a), buf.subarray(b)])
      default: return Buffer.concat([buf.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(256) }, () => int(256))), buf.subarray(at)])
    }
  },
  splice: (buf, other) => Buffer.concat([buf.subarray(0, int(buf.length)), other.subarray(int(other.length))]),
  append: buf => Buffer.concat([buf, Buffer.from(Array.from({ length: 1 + int(1024) }, () => int(256)))])
}

async function seedImages (): Promise<Array<{ name: string, bytes: Buffer }>> {
  const images = ['flower.jpg', 'flower-progressive.jpg', 'flower-cmyk.jpg', 'flower-grey.jpg', 'flower-exif-orientation-6.jpg', 'flower-tiny-16x12.jpg',
    'flower.png', 'flower-alpha.png', 'flower-16bit.png', 'flower-animated.gif', 'flower.webp', 'flower.avif', 'flower.tiff']
  const seeds = await Promise.all(images.map(async name => ({ name, bytes: await readFile(join(projectRoot, 'test/fixtures/images', name)) })))
  for (const category of ['animated', 'webp', 'tiff', 'jpeg_variants', 'other_formats', 'avif']) {
    const dir = join(projectRoot, 'test/fixtures/edge', category)
    for (const name of (await readdir(dir)).sort()) {
      const bytes = await readFile(join(dir, name))
      // Valid, supported, small, quick to decode: every mutation of it is a new case, not the same refusal again.
      if (bytes.length < 100_000 && ['jpeg', 'png', 'gif', 'webp', 'avif', 'tiff'].includes(sniffFormat(bytes) ?? '') && !name.startsWith('grey-12bit')) {
        seeds.push({ name: `${category}/${name}`, bytes })
      }
    }
  }
  return seeds
}

async function send (baseUrl: string, buf: Buffer, multipart: boolean): Promise<{ status: number, body: unknown }> {
  const bytes = new Uint8Array(buf)
  const init: RequestInit = multipart
    ? { method: 'POST', body: (() => { const form = new FormData(); form.append('file', new Blob([bytes]), 'upload.bin'); return form })() }
    : { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes }
  const res = await fetch(new URL('/predict', baseUrl), { ...init, signal: AbortSignal.timeout(requestTimeoutMs) })
  const text = await res.text()
  let body: unknown
  try { body = JSON.parse(text) } catch { body = text }
  return { status: res.status, body }
}

function wellFormed (status: number, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false
  const b = body as Record<string, unknown>
  if (status === 200) return typeof b.label === 'string' && Array.isArray(b.predictions) && Array.isArray(b.warnings)
  return b.statusCode === status && typeof b.error === 'string' && typeof b.code === 'string' && typeof b.message === 'string'
}

const seeds = await seedImages()
await mkdir(outDir, { recursive: true })
const server = await startServer()
const counts = new Map<string, number>()
const byMutator = new Map<string, Map<string, number>>()
const failures: string[] = []
let sent = 0
let saved = 0
const inFlight = new Map<number, Buffer>()
const slowMs = Number(process.env.FUZZ_SLOW_MS ?? 3000)
const slow: string[] = []
const saveSlow = async (bytes: Buffer, why: string): Promise<void> => {
  if (slow.length >= 20) return
  const file = join(outDir, `slow-${String(slow.push('')).padStart(3, '0')}.bin`)
  slow[slow.length - 1] = `${why} (input: ${file})`
  await writeFile(file, bytes)
}
const save = async (bytes: Buffer, why: string): Promise<void> => {
  if (saved >= 50) { failures.push(why); return }
  const file = join(outDir, `case-${String(++saved).padStart(3, '0')}.bin`)
  failures.push(`${why} (input: ${file})`)
  await writeFile(file, bytes)
}

try {
  for (const { name, bytes } of seeds) {
    const { status } = await send(server.url, bytes, false)
    if (status !== 200) failures.push(`seed ${name} answered ${status}, not 200`)
  }
  const before = await server.stats()
  console.log(`fuzz: seed ${seed}, ${seconds} s, ${concurrency} at a time, ${seeds.length} seed images; server ${server.url} pid ${server.pid} ` +
    `(MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}), ` +
    `RSS ${mib(before.rss)} after the seeds, ${before.tensors} tensors`)
  const runCase = async (id: number): Promise<void> => {
    startCase(id)
    const { bytes } = pick(seeds)
    const other = pick(seeds).bytes
    const names: string[] = []
    let mutated = bytes
    for (let i = 1 + int(3); i > 0; i--) {
      const name = pick(Object.keys(MUTATORS))
      names.push(name)
      try {
        mutated = MUTATORS[name](mutated, other)
      } catch (err) {
        failures.push(`fuzzer bug: mutator ${name} threw on case ${id}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const mutator = names[0]
    const multipart = int(8) === 0
    inFlight.set(id, mutated)
    let key: string
    const sentAt = performance.now()
    try {
      const { status, body } = await send(server.url, mutated, multipart)
      key = String(status)
      const code = (body as { code?: string }).code
      if (code === 'DECODE_TIMEOUT') key = '422 timeout'
      const ms = performance.now() - sentAt
      if (ms > slowMs) await saveSlow(mutated, `case ${id}: ${ms.toFixed(0)} ms, ${status} ${code ?? ''} after ${names.join('+')}`)
      if (status >= 500 && status !== 503) await save(mutated, `case ${id}: ${status} after ${names.join('+')}: ${JSON.stringify(body).slice(0, 200)}`)
      else if (!wellFormed(status, body)) await save(mutated, `case ${id}: malformed ${status} answer after ${names.join('+')}: ${JSON.stringify(body).slice(0, 200)}`)
    } catch (err) {
      key = 'no answer'
      if (server.exited() === undefined) await save(mutated, `case ${id}: no answer after ${names.join('+')}: ${err instanceof Error ? err.message : String(err)}`)
    }
    inFlight.delete(id)
    sent++
    counts.set(key, (counts.get(key) ?? 0) + 1)
    const row = byMutator.get(mutator) ?? new Map<string, number>()
    row.set(key, (row.get(key) ?? 0) + 1)
    byMutator.set(mutator, row)
  }
  /** Runs cases from next() on `concurrency` connections until next() gives none, the time is up, or the server dies. */
  const runPhase = async (next: () => number | undefined, until: number): Promise<void> => {
    const worker = async (): Promise<void> => {
      while (performance.now() < until && server.exited() === undefined) {
        const id = next()
        if (id === undefined) return
        await runCase(id)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }
  /** Stats once libvips is idle again (abandoned decodes finished), or undefined when the server is gone. */
  const idleStats = async (): Promise<ServerStats | undefined> => {
    if (server.exited() !== undefined || !(await server.alive())) return undefined
    let stats = await server.stats()
    for (let waited = 0; stats.sharp.process + stats.sharp.queue > 0 && waited < 30_000; waited += 1000) {
      await new Promise(resolve => setTimeout(resolve, 1000))
      stats = await server.stats()
    }
    if (stats.sharp.process + stats.sharp.queue > 0) failures.push(`libvips still busy 30 s after the last answer (${stats.sharp.process} in process): a decode that is not cut off`)
    return stats
  }

  const started = performance.now()
  const samples: Array<{ at: number, rss: number, external: number }> = []
  const sampler = setInterval(() => {
    server.stats().then(s => samples.push({ at: (performance.now() - started) / 1000, rss: s.rss, external: s.external }), () => {})
  }, Math.max(1000, (seconds * 1000) / 12))
  const only = process.env.FUZZ_ONLY?.split(',').map(Number)
  let explored = 0
  let replayed = 0
  let middle: ServerStats | undefined
  if (only !== undefined) {
    await runPhase(() => explored < only.length ? only[explored++] : undefined, started + seconds * 1000)
  } else {
    // First half: new cases. Second half: the same cases again. A leak grows with every request; the allocator's
    // high-water marks, once reached by the first pass, do not grow when the same inputs come again.
    await runPhase(() => explored++, started + (seconds * 1000) / 2)
    explored = Math.min(explored, sent)
    middle = await idleStats()
    await runPhase(() => replayed < explored ? replayed++ : undefined, performance.now() + (seconds * 1000) / 2)
  }
  clearInterval(sampler)
  const elapsed = (performance.now() - started) / 1000

  const statuses = [...counts.keys()].sort()
  console.log(`\n${sent} requests in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(1)}/s): ${explored} new cases` +
    `${only === undefined ? `, then ${replayed} of them again` : ''}\n`)
  const header = ['first mutation', ...statuses, 'total']
  const rows = [...byMutator.keys()].sort().map(m => [m, ...statuses.map(s => String(byMutator.get(m)!.get(s) ?? 0)), String([...byMutator.get(m)!.values()].reduce((a, b) => a + b, 0))])
  rows.push(['TOTAL', ...statuses.map(s => String(counts.get(s) ?? 0)), String(sent)])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  console.log([line(header), ...rows.slice(0, -1).map(line), line(widths.map(w => '-'.repeat(w))), line(rows.at(-1)!)].join('\n'))

  if (slow.length > 0) console.log(`\nslower than ${slowMs} ms (not a failure by itself):\n  ${slow.join('\n  ')}`)
  const after = await idleStats()
  if (server.exited() !== undefined) {
    failures.push(`the server ${server.exited()}`)
    for (const bytes of inFlight.values()) await save(bytes, 'in flight when the server died')
  } else if (after === undefined) {
    failures.push('the server does not answer GET / any more')
  } else {
    console.log(`\nserver RSS during the run: ${samples.map(s => `${s.at.toFixed(0)}s ${mib(s.rss)}`).join(', ')}`)
    console.log(`server RSS ${mib(before.rss)} after the seeds, ${middle !== undefined ? `${mib(middle.rss)} after the new cases, ` : ''}` +
      `${mib(after.rss)} at the end (peak ${mib(after.maxRss)}); heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}; ` +
      `tensors ${before.tensors} -> ${after.tensors}; sharp queue ${after.sharp.queue} / in process ${after.sharp.process}`)
    if (after.rss - before.rss > growthLimit) failures.push(`RSS grew by ${mib(after.rss - before.rss)}, over FUZZ_RSS_GROWTH_MB (${mib(growthLimit)})`)
    if (middle !== undefined && after.rss - middle.rss > lateGrowthLimit) {
      failures.push(`replaying the same ${replayed} cases raised the RSS by ${mib(after.rss - middle.rss)}, over FUZZ_RSS_LATE_GROWTH_MB (${mib(lateGrowthLimit)}): a leak`)
    }
    if (after.tensors !== before.tensors) failures.push(`live tensors went from ${before.tensors} to ${after.tensors}`)
  }
} finally {
  await server.close()
}

finish(failures, `no 5xx other than 503, every answer well formed, no hang, the server alive, RSS and tensors flat (seed ${seed}).`)
