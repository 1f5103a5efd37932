/**
 * The photo packs (run by scripts/data/data.sh after the shared dataset script), copied into DATA_DIR/{food,not_food} and
 * appended to DATA_DIR/manifest.csv with the repository as the source (the unit grouped evaluation holds out) and its
 * commit as the version:
 * - ../shared/data/photos-extra (4,832: grocery-store fruit and vegetables, home-cooked dishes, dishes on white,
 *   clothes and shoes at home);
 * - ../shared/data/photos-extra-2 (2,347: flowers, aquarium animals, coins and banknotes, plated Malaysian cakes);
 * - ../shared/data/photos-extra-3 (1,095: places indoors and out, people, homes, waste objects, robot football;
 *   food on plates at home and at school).
 *
 * Decision on `ambiguous/` (296 packaged milk, juice and yoghurt held in shops): food. The question the service
 * answers is "does this photo contain food", drinks count as food, and a carton of juice contains one; the photos are
 * labelled food with the note "packaged drink or dairy".
 *
 * Usage: npx tsx scripts/data/extra.ts [DATA_DIR]   (PHOTOS_EXTRA=<dir>[:<dir>...] reads other copies of the packs)
 * Idempotent: photos already listed are skipped.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { formatCsvLine, parseCsvLine } from '../train/dataset.js'
import { EXTRA_SOURCE_PREFIX } from '../train/sources.js'

export const AMBIGUOUS_AS = 'food'

const root = resolve(import.meta.dirname, '../..')
const dest = resolve(process.argv[2] ?? process.env.DATA_DIR ?? join(root, 'data'))
export const PACKS = ['photos-extra', 'photos-extra-2', 'photos-extra-3']
const packs = (process.env.PHOTOS_EXTRA?.split(':') ?? PACKS.map(p => join(root, '..', 'shared', 'data', p))).map(p => resolve(p))
const manifestPath = join(dest, 'manifest.csv')

const existing = readFileSync(manifestPath, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '')
const header = parseCsvLine(existing[0])
const listed = new Set(existing.slice(1).map(l => { const f = parseCsvLine(l); return `${f[header.indexOf('class')]}/${f[header.indexOf('file')]}` }))
for (const pack of packs) {
  if (!existsSync(join(pack, 'manifest.csv'))) {
    console.error(`photo pack not found at ${pack} (set PHOTOS_EXTRA): skipped`)
    continue
  }
  addPack(pack)
}

function addPack (pack: string): void {
  let added = 0
  const counts: Record<string, number> = {}
  const rows: string[] = []
  const lines = readFileSync(join(pack, 'manifest.csv'), 'utf8').split(/\r?\n/).filter(l => l.trim() !== '')
  const ph = parseCsvLine(lines[0])
  const get = (f: string[], name: string): string => f[ph.indexOf(name)] ?? ''
  for (const line of lines.slice(1)) {
    const f = parseCsvLine(line)
    const packClass = get(f, 'class')
    const cls = packClass === 'ambiguous' ? AMBIGUOUS_AS : packClass
    if (cls !== 'food' && cls !== 'not_food') continue
    const file = basename(get(f, 'file'))
    counts[`${packClass} -> ${cls}`] = (counts[`${packClass} -> ${cls}`] ?? 0) + 1
    if (listed.has(`${cls}/${file}`)) continue
    mkdirSync(join(dest, cls), { recursive: true })
    copyFileSync(join(pack, get(f, 'file')), join(dest, cls, file))
    const values: Record<string, string> = {
      class: cls,
      file,
      width: get(f, 'width'),
      height: get(f, 'height'),
      source_package: `${EXTRA_SOURCE_PREFIX}${get(f, 'source_repository')}`,
      version: get(f, 'commit'),
      source_path: get(f, 'source_path'),
      licence: get(f, 'licence'),
      note: packClass === 'ambiguous' ? 'packaged drink or dairy (photo pack ambiguous/, labelled food)' : `photo pack (../shared/data/${basename(pack)})`
    }
    rows.push(formatCsvLine(header, values))
    added++
  }
  if (rows.length > 0) appendFileSync(manifestPath, rows.join('\n') + '\n')
  console.log(`photo pack ${basename(pack)}: ${added} photos added to ${dest} (${Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ')})`)
}
