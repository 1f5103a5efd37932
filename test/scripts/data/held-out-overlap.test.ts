import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { correlation, HELD_OUT_DEBIAN, HELD_OUT_NPM, thumbnail } from '../../../scripts/data/held-out-overlap.js'
import { projectRoot } from '../../../services/common/project.js'
import { fixture } from '../../helper.js'

t.test('the shipped model trained on none of the sources the held-out sets come from', async t => {
  const card = await readFile(join(projectRoot, 'model', 'food', 'MODEL_CARD.md'), 'utf8')
  const training = [...card.matchAll(/^\| ([^|]+?) \| \d+ \| \d+ \|/gm)].map(m => m[1])
  t.ok(training.length >= 10, `${training.length} training sources in the card`)
  const heldOut = [...HELD_OUT_DEBIAN, ...HELD_OUT_NPM.map(p => `npm:${p}`)]
  t.same(training.filter(s => heldOut.includes(s)), [], 'no training source is a held-out source')
})

t.test('a re-encoded, resized or mirrored copy correlates near 1; another photo does not; a plain image is skipped', async t => {
  const photo = await readFile(fixture('photos', 'not_food', 'skimage__chelsea.jpg'))
  const other = await readFile(fixture('photos', 'food', 'based__lasagna.jpg'))
  const [orig] = await thumbnail(photo) as [Float32Array, Float32Array]
  const copy = await sharp(photo).resize(160).jpeg({ quality: 60 }).modulate({ brightness: 1.1 }).toBuffer()
  const mirror = await sharp(photo).flop().toBuffer()
  const best = async (b: Buffer): Promise<number> => { const [c, m] = await thumbnail(b) as [Float32Array, Float32Array]; return Math.max(correlation(c, orig), correlation(m, orig)) }
  t.ok(await best(copy) > 0.98, `re-encoded copy ${(await best(copy)).toFixed(3)}`)
  t.ok(await best(mirror) > 0.98, `mirror ${(await best(mirror)).toFixed(3)}`)
  t.ok(await best(other) < 0.9, `another photo ${(await best(other)).toFixed(3)}`)
  const plain = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#8080ff' } }).png().toBuffer()
  t.equal(await thumbnail(plain), undefined, 'a plain image has no thumbnail to compare')
})
