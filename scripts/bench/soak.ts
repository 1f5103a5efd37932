/**
 * npm run bench:soak: steady load on the real service for SOAK_SECONDS (default 300), sampling the server's
 * resident memory and the TF.js tensor count of its workers every SOAK_SAMPLE_SECONDS (default 15). Both must
 * stay flat: the tensor count exactly, RSS within SOAK_RSS_SLACK_MB (default 64) of the first sample after
 * warm-up. Exits 1 otherwise.
 */
import { execSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { projectRoot } from '../../services/common/project.js'
import { multipartUpload, runLoad } from './load.js'
import { startServer } from './server.js'

const total = Number(process.env.SOAK_SECONDS ?? 300)
const every = Number(process.env.SOAK_SAMPLE_SECONDS ?? 15)
const slackMb = Number(process.env.SOAK_RSS_SLACK_MB ?? 64)
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 16)

async function rssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024
}

const uploads = []
for (const dir of ['test/fixtures/photos/food', 'test/fixtures/photos/not_food', 'test/fixtures/images']) {
  for (const name of (await readdir(join(projectRoot, dir)).catch(() => [] as string[])).filter(n => /\.jpe?g$/i.test(n) && !/truncated/.test(n))) {
    uploads.push(multipartUpload(await readFile(join(projectRoot, dir, name)), name))
  }
}
execSync('npm run build --silent', { cwd: projectRoot, stdio: 'inherit' })
const server = await startServer({ INFERENCE_BACKEND: process.env.BENCH_BACKEND ?? 'auto', MAX_QUEUE: '256', ...(process.env.MODEL_DIR ? { MODEL_DIR: process.env.MODEL_DIR } : {}) })
const pid = server.child.pid as number
console.log(`soak: ${total} s at concurrency ${concurrency}, ${uploads.length} photos, sample every ${every} s`)
console.log('elapsed_s  requests  errors  rss_mb  tensors')
const samples: Array<{ rss: number, tensors: number }> = []
let requests = 0
let errors = 0
try {
  await runLoad(server.url, uploads, 4, 3)
  for (let elapsed = every; elapsed <= total; elapsed += every) {
    const r = await runLoad(server.url, uploads, concurrency, every)
    requests += r.requests
    errors += r.errors
    const { models } = await (await fetch(`${server.url}/models`)).json() as { models: Array<{ inference: { tensors: number } }> }
    const info = models[0]
    const sample = { rss: await rssMb(pid), tensors: info.inference.tensors }
    samples.push(sample)
    console.log(`${String(elapsed).padStart(9)}  ${String(requests).padStart(8)}  ${String(errors).padStart(6)}  ${sample.rss.toFixed(0).padStart(6)}  ${String(sample.tensors).padStart(7)}`)
  }
} finally {
  console.log(`server stopped with exit code ${await server.stop()}`)
}
const first = samples[0]
const last = samples[samples.length - 1]
const maxRss = Math.max(...samples.map(s => s.rss))
const tensorsFlat = samples.every(s => s.tensors === first.tensors)
const rssFlat = maxRss - first.rss <= slackMb
console.log(`tensors: ${first.tensors} -> ${last.tensors} (${tensorsFlat ? 'flat' : 'CHANGED'}); rss: ${first.rss.toFixed(0)} -> ${last.rss.toFixed(0)} MB, max ${maxRss.toFixed(0)} MB (${rssFlat ? `within ${slackMb} MB` : 'GREW'}); ${requests} requests, ${errors} errors`)
process.exit(tensorsFlat && rssFlat && errors === 0 ? 0 : 1)
