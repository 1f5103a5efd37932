/**
 * npm run test:corpus [-- DIR]: sends every file of the data step's edge-case folder (default data/edge_cases;
 * `npm run data` builds it) to a real server over loopback HTTP, checks each answer against
 * test/corpus/expectations.tsv, checks the server is alive with its memory bounded afterwards, and prints a
 * summary table by category. Exits 1 on any unexpected answer, a crash, or memory over the bound; 2 without data.
 * Memory is bounded relative to the server's RSS once it has loaded the model(s) into its worker threads, since that
 * baseline scales with the cores: CORPUS_RSS_PEAK_MB (512, peak RSS during the run minus RSS before) and
 * CORPUS_RSS_GROWTH_MB (256, RSS after the run minus RSS before). Env also: CORPUS_CONCURRENCY (4), INFERENCE_BACKEND and
 * the service's other variables.
 */
import { access } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CORPUS_ROOTS, readExpectations, runCorpus, summaryTable, warningKind, type Outcome } from '../../test/corpus/corpus.js'
import { finish, mib, startServer } from '../../test/corpus/server-harness.js'

const root = process.argv[2] ?? CORPUS_ROOTS.data
const corpus = resolve(root) === CORPUS_ROOTS.fixtures ? 'fixtures' : 'data'
const concurrency = Number(process.env.CORPUS_CONCURRENCY ?? 4)
const peakLimit = Number(process.env.CORPUS_RSS_PEAK_MB ?? 512) * 1024 * 1024
const growthLimit = Number(process.env.CORPUS_RSS_GROWTH_MB ?? 256) * 1024 * 1024

try {
  await access(root)
} catch {
  console.error(`${root} not found: build it with npm run data (see ../shared/data/README.md)`)
  process.exit(2)
}

const expectations = await readExpectations()
const server = await startServer()
const failures: string[] = []
try {
  const before = await server.stats()
  console.log(`server ${server.url} (pid ${server.pid}): RSS ${mib(before.rss)}, ${before.tensors} tensors`)
  const started = performance.now()
  const report = await runCorpus({ baseUrl: server.url, corpus, root, expectations, concurrency })
  const seconds = (performance.now() - started) / 1000
  const alive = await server.alive()
  const after = alive ? await server.stats() : undefined

  console.log(`\n${report.outcomes.length} files from ${root}, ${concurrency} at a time, in ${seconds.toFixed(1)} s\n`)
  console.log(summaryTable(report))
  const unlisted = report.outcomes.filter((o: Outcome) => o.problem?.startsWith('no row') === true)
  if (unlisted.length > 0) {
    console.log('\nFiles without a row; what the service answered (review before adding to test/corpus/expectations.tsv):')
    for (const o of unlisted) {
      const expect = o.status === 200 ? ([...new Set(o.warnings.map(warningKind))].sort().join(',') || '-') : o.code
      console.log(`${o.file}\t${corpus}\t${o.status}\t${expect}\t`)
    }
  }
  failures.push(...report.problems.filter(p => !p.includes('no row')), ...unlisted.map(o => `${o.file}: no row in the table`))

  if (!alive) failures.push(`the server is not alive after the corpus: ${server.exited() ?? 'GET / did not answer 200'}`)
  if (after !== undefined) {
    console.log(`\nserver RSS: ${mib(before.rss)} before, ${mib(after.rss)} after, peak ${mib(after.maxRss)}; ` +
      `heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}; tensors ${before.tensors} -> ${after.tensors}; sharp queue ${after.sharp.queue}, in process ${after.sharp.process}`)
    if (after.maxRss - before.rss > peakLimit) failures.push(`peak RSS ${mib(after.maxRss)}, ${mib(after.maxRss - before.rss)} over the start, over CORPUS_RSS_PEAK_MB (${mib(peakLimit)})`)
    if (after.rss - before.rss > growthLimit) failures.push(`RSS grew by ${mib(after.rss - before.rss)}, over CORPUS_RSS_GROWTH_MB (${mib(growthLimit)})`)
    if (after.tensors !== before.tensors) failures.push(`live tensors went from ${before.tensors} to ${after.tensors}`)
  }
} finally {
  await server.close()
}

finish(failures, 'every file answered as expected; the server is alive and its memory bounded.')
