/**
 * The external test set (run by scripts/data/data.sh after the shared dataset script): real photos of plated dishes and fruit
 * from small Debian packages that the training data does not use, plus the other photos of the same packages
 * as not-food, into DATA_DIR/external/{food,not_food} with its own manifest.csv (same columns as the training one).
 * They are the kind of photo the shared set barely has (its food class is mostly raw ingredients on white). Training
 * never reads them (loadItems reads DATA_DIR/manifest.csv only) and no setting was chosen on them, so
 * `npm run model:external` measures the shipped model on sources and kinds of photo it has never seen.
 * Found by searching Debian 12's Contents index for food words in image names and looking at each file: drawings and
 * clip art (pysiogame, GCompris words, openclipart) are left out; these are photographs.
 *
 * Usage: npx tsx scripts/data/external.ts [DATA_DIR]   (WORK=/tmp/food-ds-work is the download cache, as for the shared script)
 * Idempotent: photos already listed and present are skipped; a run with nothing to add downloads nothing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { parseManifestCsv } from '../train/dataset.js'
import { fetchDeb } from './debian.js'

export interface ExternalPhoto {
  cls: 'food' | 'not_food'
  pkg: string
  /** Path inside the package. */
  path: string
  licence: string
  note: string
}

const QTWE = 'usr/lib/x86_64-linux-gnu/qt5/examples/webengine/recipebrowser/resources/pages/images'
const QTLV = 'usr/lib/x86_64-linux-gnu/qt5/examples/quick/views/listview/content/pics'
const PAL = 'usr/share/palapeli/collection'

const photo = (cls: ExternalPhoto['cls'], pkg: string, dir: string, names: string[], licence: string, note: string): ExternalPhoto[] =>
  names.map(n => ({ cls, pkg, path: `${dir}/${n}`, licence, note }))

/** Every photo of the set. Licences as each package's debian/copyright gives them (palapeli-data: the package's Files: *). */
export const EXTERNAL_PHOTOS: ExternalPhoto[] = [
  ...photo('food', 'qtwebengine5-examples', QTWE, ['burger.jpg', 'cupcakes.jpg', 'pasta.jpg', 'pizza.jpg', 'skewers.jpg', 'soup.jpg', 'steak.jpg'],
    'LGPL-3 or GPL-2 (qtwebengine5-examples)', 'plated dish'),
  ...photo('food', 'qtdeclarative5-examples', QTLV, ['fruit-salad.jpg', 'hamburger.jpg', 'pancakes.jpg', 'vegetable-soup.jpg'],
    'BSD-3-clause (Qt examples)', 'plated dish'),
  ...photo('food', 'scribus-template', 'usr/share/scribus/templates/menu2', ['pizza.jpg'],
    'public domain (Scribus template menu2, Riku Leino)', 'plated dish'),
  ...photo('food', 'palapeli-data', PAL, ['citrus-fruits.jpg'], 'GPL-2+ (palapeli-data)', 'sliced fruit'),
  ...photo('not_food', 'palapeli-data', PAL, ['castle-maintenon.jpg', 'cincinnati-bridge.jpg', 'european-honey-bee.jpg', 'panther-chameleon-female.jpg'],
    'GPL-2+ (palapeli-data)', ''),
]

const MAX_SIDE = 1600
const PREFIX: Record<string, string> = {
  'qtwebengine5-examples': 'qtwebengine',
  'qtdeclarative5-examples': 'qtdeclarative',
  'scribus-template': 'scribus',
  'palapeli-data': 'palapeli'
}

export function externalFileName (p: ExternalPhoto): string {
  return `${PREFIX[p.pkg]}__${basename(p.path, extname(p.path)).replace(/[^A-Za-z0-9._-]+/g, '_')}.jpg`
}

export const MANIFEST_HEADER = 'class,file,width,height,source_package,version,source_path,licence,note'

const csvField = (s: string): string => /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s

async function main (): Promise<void> {
  const dest = join(resolve(process.argv[2] ?? 'data'), 'external')
  const work = resolve(process.env.WORK ?? '/tmp/food-ds-work')
  const manifest = join(dest, 'manifest.csv')
  mkdirSync(dest, { recursive: true })
  if (!existsSync(manifest)) writeFileSync(manifest, MANIFEST_HEADER + '\n')
  const listed = new Set(parseManifestCsv(readFileSync(manifest, 'utf8'), dest).map(it => `${it.cls}/${it.file}`))
  const todo = EXTERNAL_PHOTOS.filter(p => !listed.has(`${p.cls}/${externalFileName(p)}`) || !existsSync(join(dest, p.cls, externalFileName(p))))
  if (todo.length === 0) {
    console.log(`data/external: all ${EXTERNAL_PHOTOS.length} photos present`)
    return
  }
  const pkgs = new Map<string, { root: string, version: string }>()
  for (const p of todo) {
    if (!pkgs.has(p.pkg)) pkgs.set(p.pkg, fetchDeb(work, p.pkg))
    const { root, version } = pkgs.get(p.pkg) as { root: string, version: string }
    const file = externalFileName(p)
    mkdirSync(join(dest, p.cls), { recursive: true })
    const info = await sharp(join(root, p.path), { failOn: 'error' })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 90 })
      .toFile(join(dest, p.cls, file))
    if (!listed.has(`${p.cls}/${file}`)) {
      appendFileSync(manifest, [p.cls, file, String(info.width), String(info.height), p.pkg, version, `${p.pkg}/${p.path}`, p.licence, p.note].map(csvField).join(',') + '\n')
    }
  }
  console.log(`data/external: added ${todo.length} photos (${todo.filter(p => p.cls === 'food').length} food) from ${[...pkgs.keys()].join(', ')}`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main()
