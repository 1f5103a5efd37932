/**
 * The corpus runner: sends every file of an edge-case folder (data/edge_cases/ from the data step, or the
 * committed subset test/fixtures/edge/) to POST /predict over real HTTP, and checks each answer against the
 * committed table test/corpus/expectations.tsv: the status, the error code, and for 200s the kinds of warnings.
 * Used by scripts/check/corpus.ts (npm run test:corpus) and by test/corpus/edge-fixtures.test.ts.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { projectRoot } from '../../services/common/project.js'

export type Corpus = 'data' | 'fixtures'

export interface Expectation {
  /** category/file, relative to the corpus root. */
  file: string
  /** Which corpora hold the file: data (data/edge_cases), fixtures (test/fixtures/edge), or both. */
  where: 'data' | 'fixtures' | 'both'
  status: number
  /** The error code for a refusal. */
  code?: string
  /** For a 200: the kinds of warning the answer must list, exactly (see warningKind). */
  warnings?: string[]
  why: string
}

export const EXPECTATIONS_FILE = join(projectRoot, 'test/corpus/expectations.tsv')
export const CORPUS_ROOTS: Record<Corpus, string> = {
  data: join(projectRoot, 'data/edge_cases'),
  fixtures: join(projectRoot, 'test/fixtures/edge')
}

/** Reads the table: tab-separated file, where, status, code or warning kinds ('-' for none), why; '#' starts a comment. */
export async function readExpectations (path = EXPECTATIONS_FILE): Promise<Map<string, Expectation>> {
  const rows = new Map<string, Expectation>()
  const lines = (await readFile(path, 'utf8')).split('\n')
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return
    const [file, where, status, expect, why = ''] = line.split('\t')
    if (where !== 'data' && where !== 'fixtures' && where !== 'both') throw new Error(`${path}:${i + 1}: where must be data, fixtures or both, not ${JSON.stringify(where)}`)
    const code = Number(status)
    if (!Number.isInteger(code) || expect === undefined) throw new Error(`${path}:${i + 1}: expected file, where, status, code-or-warnings, why`)
    if (rows.has(file)) throw new Error(`${path}:${i + 1}: ${file} listed twice`)
    rows.set(file, code === 200
      ? { file, where, status: code, warnings: expect === '-' ? [] : expect.split(',').map(w => w.trim()).sort(), why }
      : { file, where, status: code, code: expect, why })
  })
  return rows
}

const WARNING_KINDS: Array<[RegExp, string]> = [
  [/^rotated: /, 'rotated'],
  [/^alpha flattened/, 'alpha'],
  [/^animated: /, 'animated'],
  [/^multi-page: /, 'multi-page'],
  [/^converted from CMYK/, 'cmyk'],
  [/^converted from greyscale/, 'grey'],
  [/^converted from 16-bit/, '16-bit'],
  [/^converted from \w+ samples/, 'depth'],
  [/^upscaled from \d+x\d+/, 'upscaled'],
  [/^cropped: /, 'cropped']
]

/** The kind of a warning, from its leading words: rotated, alpha, animated, multi-page, cmyk, grey, 16-bit, upscaled, cropped. */
export function warningKind (warning: string): string {
  return WARNING_KINDS.find(([pattern]) => pattern.test(warning))?.[1] ?? `unknown(${warning})`
}

/** category/file for every file under root, sorted. */
export async function listCorpus (root: string): Promise<string[]> {
  const files: string[] = []
  for (const category of (await readdir(root, { withFileTypes: true })).filter(d => d.isDirectory()).map(d => d.name).sort()) {
    for (const entry of (await readdir(join(root, category), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isFile()) files.push(`${category}/${entry.name}`)
    }
  }
  return files
}

export interface Answer {
  status: number
  body: Record<string, unknown> | undefined
  ms: number
}

/** POSTs the bytes as a raw application/octet-stream body; the format is sniffed by the service. */
export async function postImage (baseUrl: string, bytes: Uint8Array, timeoutMs = 60_000): Promise<Answer> {
  const started = performance.now()
  const res = await fetch(new URL('/predict', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
    signal: AbortSignal.timeout(timeoutMs)
  })
  const text = await res.text()
  let body: Record<string, unknown> | undefined
  try { body = JSON.parse(text) } catch { body = undefined }
  return { status: res.status, body, ms: performance.now() - started }
}

export interface Outcome {
  file: string
  category: string
  status: number | 'no answer'
  code?: string
  warnings: string[]
  ms: number
  /** Why the answer does not match the table; undefined when it does. */
  problem?: string
}

export interface CorpusReport {
  outcomes: Outcome[]
  /** Rows of the table for this corpus whose file is not there. */
  missing: string[]
  problems: string[]
}

function judge (file: string, expected: Expectation | undefined, answer: Answer): string | undefined {
  if (expected === undefined) return 'no row in test/corpus/expectations.tsv'
  const { status, body } = answer
  if (body === undefined) return `status ${status} with a body that is not JSON`
  if (status !== expected.status) return `status ${status} (${String(body.code ?? '')}: ${String(body.message ?? '')}), expected ${expected.status} ${expected.code ?? ''}`.trim()
  if (status === 200) {
    if (typeof body.label !== 'string' || !Array.isArray(body.predictions) || !Array.isArray(body.warnings)) return 'a 200 without label, predictions and warnings'
    const kinds = [...new Set((body.warnings as string[]).map(warningKind))].sort()
    if (kinds.join(',') !== expected.warnings!.join(',')) return `warnings ${JSON.stringify(body.warnings)}: kinds ${kinds.join(',') || '-'}, expected ${expected.warnings!.join(',') || '-'}`
    return undefined
  }
  if (body.statusCode !== status || typeof body.error !== 'string' || typeof body.message !== 'string' || body.code !== expected.code) {
    return `error body ${JSON.stringify(body)}, expected the envelope with code ${expected.code}`
  }
  if (status === 413 && !/limit of \d+/.test(body.message as string)) return `a 413 whose message does not state the limit: ${String(body.message)}`
  return undefined
}

/** Sends every file of the corpus, `concurrency` at a time, and judges each answer against the table. */
export async function runCorpus (opts: {
  baseUrl: string
  corpus: Corpus
  root?: string
  expectations?: Map<string, Expectation>
  concurrency?: number
  timeoutMs?: number
  onOutcome?: (outcome: Outcome) => void
}): Promise<CorpusReport> {
  const root = opts.root ?? CORPUS_ROOTS[opts.corpus]
  const expectations = opts.expectations ?? await readExpectations()
  const files = await listCorpus(root)
  const present = new Set(files)
  const wanted = opts.corpus === 'data' ? 'data' : 'fixtures'
  const missing = [...expectations.values()].filter(e => (e.where === wanted || e.where === 'both') && !present.has(e.file)).map(e => e.file)
  const outcomes: Outcome[] = new Array(files.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++
      const file = files[index]
      const category = file.split('/')[0]
      const expected = expectations.get(file)
      let outcome: Outcome
      try {
        const answer = await postImage(opts.baseUrl, await readFile(join(root, file)), opts.timeoutMs)
        const warnings = Array.isArray(answer.body?.warnings) ? answer.body.warnings as string[] : []
        outcome = { file, category, status: answer.status, code: answer.body?.code as string | undefined, warnings, ms: answer.ms, problem: judge(file, expected, answer) }
      } catch (err) {
        outcome = { file, category, status: 'no answer', warnings: [], ms: 0, problem: `no answer: ${err instanceof Error ? err.message : String(err)}` }
      }
      if (outcome.problem === undefined && expected !== undefined && expected.where !== 'both' && expected.where !== wanted) {
        outcome.problem = `the table says this file is in ${expected.where} only`
      }
      outcomes[index] = outcome
      opts.onOutcome?.(outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker))
  const problems = [
    ...outcomes.filter(o => o.problem !== undefined).map(o => `${o.file}: ${o.problem}`),
    ...missing.map(f => `${f}: listed in the table for ${wanted} but not found under ${root}`)
  ]
  return { outcomes, missing, problems }
}

const STATUS_COLUMNS = [200, 400, 413, 415, 422]

/** One row per category: files, answers by status, unexpected answers, slowest answer. */
export function summaryTable (report: CorpusReport): string {
  const categories = [...new Set(report.outcomes.map(o => o.category))].sort()
  const header = ['category', 'files', ...STATUS_COLUMNS.map(String), 'other', 'unexpected', 'max ms']
  const rows: string[][] = []
  for (const category of [...categories, 'TOTAL']) {
    const outcomes = category === 'TOTAL' ? report.outcomes : report.outcomes.filter(o => o.category === category)
    const count = (status: number): number => outcomes.filter(o => o.status === status).length
    const other = outcomes.filter(o => typeof o.status !== 'number' || !STATUS_COLUMNS.includes(o.status)).length
    const unexpected = outcomes.filter(o => o.problem !== undefined).length
    const maxMs = Math.max(0, ...outcomes.map(o => o.ms))
    rows.push([category, String(outcomes.length), ...STATUS_COLUMNS.map(s => String(count(s))), String(other), String(unexpected), maxMs.toFixed(0)])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.slice(0, -1).map(line), line(widths.map(w => '-'.repeat(w))), line(rows.at(-1)!)].join('\n')
}
