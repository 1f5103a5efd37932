import t from 'tap'
import { build } from '../helper.js'
import { readExpectations, runCorpus, summaryTable } from './corpus.js'

// The committed subset of the edge-case corpus (test/fixtures/edge/), over real HTTP on loopback, against the
// same table as npm run test:corpus: every category is covered without the data step.
t.test('every edge-case fixture is answered as test/corpus/expectations.tsv says', async t => {
  const app = await build(t)
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const expectations = await readExpectations()
  const report = await runCorpus({ baseUrl, corpus: 'fixtures', expectations, concurrency: 4 })
  t.comment(`\n${summaryTable(report)}`)
  t.ok(report.outcomes.length >= 60, `${report.outcomes.length} fixtures sent`)
  const categories = new Set(report.outcomes.map(o => o.category))
  for (const category of ['animated', 'avif', 'cmyk_jpeg', 'exif_orientation', 'extreme_aspect_or_tiny', 'grayscale', 'heic', 'huge_or_bomb',
    'jpeg_variants', 'other_formats', 'progressive_jpeg', 'tiff', 'truncated_corrupt', 'webp']) {
    t.ok(categories.has(category), `category ${category} is covered`)
  }
  for (const status of [200, 400, 413, 415, 422]) {
    t.ok(report.outcomes.some(o => o.status === status), `some fixture is answered ${status}`)
  }
  t.same(report.problems, [], 'every answer as the table says, and every row of the table has its file')
  t.equal((await fetch(baseUrl)).status, 200, 'and the server still answers')
})

t.test('the table catches an answer that differs from it', async t => {
  const app = await build(t)
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const expectations = await readExpectations()
  const wrong = new Map(expectations)
  const row = wrong.get('exif_orientation/golang-github-rwcarlsen-goexif-dev__f6-exif.jpg')!
  wrong.set(row.file, { ...row, warnings: ['upscaled'] })
  const heic = wrong.get('heic/golang-go4-dev__rotate.heic')!
  wrong.set(heic.file, { ...heic, status: 422, code: 'UNDECODABLE_IMAGE' })
  wrong.delete('webp/libsdl2-image-tests__sample.webp')
  const report = await runCorpus({ baseUrl, corpus: 'fixtures', expectations: wrong, concurrency: 4 })
  t.match(report.problems.join('\n'), /f6-exif\.jpg: warnings .*kinds rotated,upscaled, expected upscaled/)
  t.match(report.problems.join('\n'), /rotate\.heic: status 415 .*expected 422 UNDECODABLE_IMAGE/)
  t.match(report.problems.join('\n'), /sample\.webp: no row/)
  t.equal(report.problems.length, 3)
})
