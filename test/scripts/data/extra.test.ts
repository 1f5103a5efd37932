import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseManifestCsv } from '../../../scripts/train/dataset.js'
import { projectRoot } from '../../../services/common/project.js'

const PACK = join(projectRoot, '..', 'shared', 'data', 'photos-extra')
const HEADER = 'class,file,width,height,source_package,version,source_path,licence,note'

t.test('photo pack: copied into data/ with the repository as source, ambiguous packages labelled food, idempotent', { skip: existsSync(join(PACK, 'manifest.csv')) ? false : `no photo pack at ${PACK}` }, async t => {
  const dir = await mkdtemp(join(tmpdir(), 'food-extra-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  // A small pack made of real rows and photos of the shared one: the first row of each class
  const lines = readFileSync(join(PACK, 'manifest.csv'), 'utf8').split(/\r?\n/).filter(l => l !== '')
  const picked = ['food', 'not_food', 'ambiguous'].map(c => lines.find(l => l.startsWith(`${c},`)) as string)
  const pack = join(dir, 'pack')
  for (const line of picked) {
    const file = line.split(',')[1]
    mkdirSync(join(pack, file, '..'), { recursive: true })
    copyFileSync(join(PACK, file), join(pack, file))
  }
  writeFileSync(join(pack, 'manifest.csv'), [lines[0], ...picked].join('\n') + '\n')
  const data = join(dir, 'data')
  mkdirSync(data)
  writeFileSync(join(data, 'manifest.csv'), HEADER + '\n')
  const run = (): string => execFileSync('npx', ['tsx', 'scripts/data/extra.ts', data], { cwd: projectRoot, env: { ...process.env, PHOTOS_EXTRA: pack }, encoding: 'utf8' })
  t.match(run(), /3 photos added/)
  const items = parseManifestCsv(readFileSync(join(data, 'manifest.csv'), 'utf8'), data)
  t.same(items.map(i => i.cls), ['food', 'not_food', 'food'], 'the packaged drink is labelled food')
  t.ok(items.every(i => i.source.startsWith('github:') && i.version.length === 40 && i.licence !== ''), 'source repository, commit and licence kept')
  t.match(items[2].note, /packaged drink or dairy/)
  t.ok(items.every(i => existsSync(i.path)), 'every listed photo is in data/<class>/')
  t.match(run(), /0 photos added/, 'a rerun adds nothing')
  t.equal(parseManifestCsv(readFileSync(join(data, 'manifest.csv'), 'utf8'), data).length, 3)
})
