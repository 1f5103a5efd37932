import { readFileSync, readdirSync } from 'node:fs'
import { startServer } from './scripts/bench/server.js'
import { runLoad, multipartUpload } from './scripts/bench/load.js'
const ups = [] as ReturnType<typeof multipartUpload>[]
for (const d of ['test/fixtures/photos/food','test/fixtures/photos/not_food','test/fixtures/images']) for (const n of readdirSync(d)) {
  if (!/^[^.]+\.jpe?g$/i.test(n) || /truncated|tiny|cmyk|grey|exif|progressive/.test(n)) continue
  ups.push(multipartUpload(readFileSync(d+'/'+n), n)) }
const env = JSON.parse(process.env.SRV_ENV ?? '{}')
const s = await startServer({ TFJS_BACKEND: 'wasm', MODEL_DIR: 'model/food-fast', MAX_QUEUE: '256', ...env })
await runLoad(s.url, ups, 4, 3)
function threads (pid: number) {
  const out: Record<string, number> = {}
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const st = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'); const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))
    const f = st.slice(st.lastIndexOf(')') + 2).split(' '); out[`${t}:${name}`] = (Number(f[11]) + Number(f[12])) * 10
  }
  return out
}
const a = threads(s.child.pid!); const me0 = process.cpuUsage()
const r = await runLoad(s.url, ups, Number(process.env.C ?? 16), Number(process.env.SECS ?? 10))
const b = threads(s.child.pid!); const me = process.cpuUsage(me0)
console.log(`rps ${r.rps.toFixed(1)} p99 ${r.p99}`)
const byName: Record<string, number> = {}
for (const k of Object.keys(b)) { const n = k; byName[n] = (byName[n] ?? 0) + (b[k] - (a[k] ?? 0)) }
const total = Object.values(byName).reduce((x, y) => x + y, 0)
for (const [n, ms] of Object.entries(byName).sort((x, y) => y[1] - x[1])) if (ms > 0) console.log(n.padEnd(20), (ms / (1000 * Number(process.env.SECS ?? 10)) * 100).toFixed(1) + '% of a core', (ms / (r.rps * Number(process.env.SECS ?? 10))).toFixed(2), 'ms/req')
console.log('server total', (total / (r.rps * Number(process.env.SECS ?? 10))).toFixed(2), 'ms/req; client', ((me.user + me.system) / 1000 / (r.rps * Number(process.env.SECS ?? 10))).toFixed(2), 'ms/req')
const plat = Object.entries(byName).filter(([k]) => { const t = Number(k.split(":")[0]); return t > s.child.pid! && t <= s.child.pid! + 5 }).reduce((n, [, v]) => n + v, 0); console.log("platform-ish", (plat / (r.rps * Number(process.env.SECS ?? 10))).toFixed(2))
await s.stop()
