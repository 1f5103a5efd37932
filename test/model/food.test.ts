import { readdir } from 'node:fs/promises'
import t from 'tap'
import { build, fixture, imageFile, readFixture } from '../helper.js'

/** The shipped model, through the service, on committed real photos (licences in test/fixtures/photos/SOURCES.md). */
t.test('the default model classifies real photos correctly', async t => {
  const app = await build(t)
  for (const label of ['food', 'not_food']) {
    const files = (await readdir(fixture('photos', label))).filter(f => /\.(jpe?g|png|webp)$/i.test(f)).sort()
    t.ok(files.length >= 4, `at least 4 ${label} photos (${files.length})`)
    for (const file of files) {
      const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('photos', label, file), file) })
      t.equal(res.statusCode, 200, file)
      const body = res.json()
      t.equal(body.label, label, `${label}/${file}: ${body.label} ${body.probability.toFixed(3)}`)
    }
  }
})
