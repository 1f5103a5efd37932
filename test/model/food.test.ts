import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../services/common/project.js'
import { build, fixture, imageFile, readFixture, SHIPPED_MODELS } from '../helper.js'

/** The shipped models, through the service, on committed real photos (licences in test/fixtures/photos/SOURCES.md). */
for (const { dir, name, knownMisses } of SHIPPED_MODELS) {
  t.test(`${name} classifies real photos correctly`, async t => {
    const app = await build(t, { MODEL_DIR: join(projectRoot, dir) })
    t.equal(app.models.default.name, name)
    for (const label of ['food', 'not_food']) {
      const files = (await readdir(fixture('photos', label))).filter(f => /\.(jpe?g|png|webp)$/i.test(f)).sort()
      t.ok(files.length >= 4, `at least 4 ${label} photos (${files.length})`)
      for (const file of files) {
        const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('photos', label, file), file) })
        t.equal(res.statusCode, 200, file)
        const body = res.json()
        const expected = knownMisses.includes(`${label}/${file}`) ? label === 'food' ? 'not_food' : 'food' : label
        t.equal(body.label, expected, `${label}/${file}: ${body.label} ${body.probability.toFixed(3)}${expected !== label ? ' (known miss)' : ''}`)
      }
    }
  })
}
