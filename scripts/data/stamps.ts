/**
 * Photo cut-outs from Debian's tuxpaint-stamps-default (GPL-2, debian/copyright), run by scripts/data/data.sh. Not food:
 * animals, plants, sports balls, household objects and tools, instruments, vehicles, buildings, clothes; food: the
 * package's fruit, nuts, vegetables and Christmas dishes, so that a cut-out says nothing of the class. Each stamp
 * (a photo on a transparent background) is flattened onto a background picked from its file name: white, a plain
 * colour, or a real not-food scene of the photo packs (so that "an object on a plain background" does not mean food,
 * and neither does "an object on white"). Drawings (the `cartoon/` folders, road signs, flags, symbols, seasonal
 * stamps), the package's people/ folder and the stamps of EXCLUDE (food-like not-food: mushrooms, shellfish, herbs)
 * are not taken. Appended to DATA_DIR/manifest.csv with source `tuxpaint-stamps-default`.
 *
 *
 * Also from gcompris-qt-data (the package the shared recipe already reads, same source group): the 8 photos of
 * hands (fists and palms, cut out) of the leftright activity, each flattened onto four rooms and scenes of the photo
 * packs (a user's uploads are full of hands in rooms), and the 9 photos of musicians of explore_world_music.
 *
 * Usage: npx tsx scripts/data/stamps.ts [DATA_DIR]   (WORK=<dir> as for the shared dataset script; idempotent)
 */
import { inflateSync } from 'node:zlib'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import sharp, { type Sharp } from 'sharp'
import { formatCsvLine, parseCsvLine } from '../train/dataset.js'
import { seedOf, mulberry32 } from '../train/common.js'
import { fetchDeb } from './debian.js'

const PACKAGE = 'tuxpaint-stamps-default'
const FOLDERS = ['animals', 'plants', 'sports', 'household', 'hobbies', 'vehicles', 'town', 'clothes', 'medical', 'space', 'food', 'seasonal/christmas']
/** Food stamps: the food/ folder (fruit, nuts, vegetables, a pizza, ginger) and the Christmas dishes and sweets. */
const FOOD = /^(food\/|seasonal\/christmas\/(Roast_turkey|Christmas_pudding|Mince_Pie|hard_candy|Candy_cane_photo))/
/** Looked at one by one: food or food-like (mushrooms, shellfish, an eggplant, rambutan, herbs) and drawings. */
const EXCLUDE = /^(medical\/tooth|plants\/(eggplant|mushrooms|thyme|lettuce|trees\/rambutan)|animals\/fish\/(lobster|shrimp)|animals\/shellfish|town\/(roadsigns|flags)|town\/monuments\/inukshuk-outline|seasonal\/christmas\/(?!Roast_turkey|Christmas_pudding|Mince_Pie|hard_candy|Candy_cane_photo))/
const LICENCE = 'GPL-2 (tuxpaint-stamps-default debian/copyright)'
const SIDE = 384
const PLAIN = [[255, 255, 255], [236, 232, 224], [120, 120, 120], [181, 144, 99], [92, 130, 70], [70, 100, 150], [30, 30, 30]]

const root = resolve(import.meta.dirname, '../..')
const dest = resolve(process.argv[2] ?? process.env.DATA_DIR ?? join(root, 'data'))
const work = process.env.WORK ?? '/tmp/food-ds-work'
const manifestPath = join(dest, 'manifest.csv')

function walk (dir: string): string[] {
  return readdirSync(dir).sort().flatMap(name => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'cartoon' ? [] : walk(p)
    return name.endsWith('.png') && !name.includes('_mirror') ? [p] : []
  })
}

/** The files of a Qt resource bundle (.rcc): path -> bytes (zlib-compressed entries inflated). */
function rccFiles (path: string): Map<string, Buffer> {
  const b = readFileSync(path)
  if (b.toString('latin1', 0, 4) !== 'qres') throw new Error(`${path}: not a Qt resource bundle`)
  const version = b.readUInt32BE(4); const tree = b.readUInt32BE(8); const data = b.readUInt32BE(12); const names = b.readUInt32BE(16)
  const entry = version === 1 ? 14 : 22
  const name = (o: number): string => { const n = b.readUInt16BE(names + o); return Buffer.from(b.subarray(names + o + 6, names + o + 6 + 2 * n)).swap16().toString('utf16le') }
  const out = new Map<string, Buffer>()
  const walk = (i: number, prefix: string): void => {
    const o = tree + i * entry
    const p = `${prefix}/${i === 0 ? '' : name(b.readUInt32BE(o))}`
    const flags = b.readUInt16BE(o + 4)
    if ((flags & 2) !== 0) {
      const count = b.readUInt32BE(o + 6); const first = b.readUInt32BE(o + 10)
      for (let k = 0; k < count; k++) walk(first + k, p)
    } else {
      const d = data + b.readUInt32BE(o + 10); const size = b.readUInt32BE(d); const blob = b.subarray(d + 4, d + 4 + size)
      out.set(p, (flags & 1) !== 0 ? inflateSync(blob.subarray(4)) : blob)
    }
  }
  walk(0, '')
  return out
}

const existing = readFileSync(manifestPath, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '')
const header = parseCsvLine(existing[0])
const listed = new Set(existing.slice(1).map(l => parseCsvLine(l)[header.indexOf('file')]))
const scenes = readdirSync(join(dest, 'not_food')).filter(f => f.startsWith('cubemap__') || f.startsWith('clothing__')).sort()
let stamps: string
let version: string
try {
  const deb = fetchDeb(work, PACKAGE)
  stamps = join(deb.root, 'usr', 'share', 'tuxpaint', 'stamps')
  version = deb.version
} catch (err) {
  console.error(`data-stamps: cannot get ${PACKAGE} (apt-get download and dpkg-deb, Debian's apt and dpkg): ${(err as Error).message.split('\n')[0]}`)
  process.exit(1)
}
const rows: string[] = []
for (const path of FOLDERS.flatMap(f => existsSync(join(stamps, f)) ? walk(join(stamps, f)) : [])) {
  const rel = relative(stamps, path)
  if (EXCLUDE.test(rel)) continue
  const file = `tuxstamp__${rel.replace(/[/\\]/g, '_').replace(/\.png$/, '')}.jpg`
  if (listed.has(file)) continue
  const rand = mulberry32(seedOf('stamp-background', rel))
  const stamp = sharp(path).trim().resize(SIDE - 64, SIDE - 64, { fit: 'inside' })
  const { data, info } = await stamp.png().toBuffer({ resolveWithObject: true })
  const pick = rand()
  let background: Sharp
  let how: string
  if (pick < 0.5 && scenes.length > 0) {
    const scene = scenes[Math.floor(rand() * scenes.length)]
    background = sharp(join(dest, 'not_food', scene)).resize(SIDE, SIDE, { fit: 'cover' })
    how = `on ${scene}`
  } else {
    const [r, g, b] = PLAIN[Math.floor(rand() * PLAIN.length)]
    background = sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: { r, g, b } } })
    how = `on rgb(${r},${g},${b})`
  }
  const left = Math.floor(rand() * (SIDE - info.width + 1))
  const top = Math.floor(rand() * (SIDE - info.height + 1))
  const cls = FOOD.test(rel) ? 'food' : 'not_food'
  mkdirSync(join(dest, cls), { recursive: true })
  await background.composite([{ input: data, left, top }]).flatten({ background: '#ffffff' }).jpeg({ quality: 88 }).toFile(join(dest, cls, file))
  const values: Record<string, string> = { class: cls, file, width: String(SIDE), height: String(SIDE), source_package: PACKAGE, version, source_path: rel, licence: LICENCE, note: `photo cut-out ${how}` }
  rows.push(formatCsvLine(header, values))
}
const stampRows = rows.length

const GCOMPRIS = join(work, 'x', 'gcompris-qt-data', 'usr', 'share', 'gcompris-qt', 'rcc')
const GCOMPRIS_LICENCE = 'see gcompris-qt-data copyright (GCompris)'
const rooms = readdirSync(join(dest, 'not_food')).filter(f => f.startsWith('cubemap__') || f.startsWith('dollarstreet__') || f.startsWith('persons__')).sort()
const gcVersion = existsSync(join(work, 'deb')) ? (readdirSync(join(work, 'deb')).find(f => f.startsWith('gcompris-qt-data_'))?.split('_')[1] ?? '') : ''
const addRow = (file: string, rel: string, note: string, width = SIDE, height = SIDE): void => {
  const values: Record<string, string> = { class: 'not_food', file, width: String(width), height: String(height), source_package: 'gcompris-qt-data', version: gcVersion, source_path: rel, licence: GCOMPRIS_LICENCE, note }
  rows.push(formatCsvLine(header, values))
}
if (existsSync(join(GCOMPRIS, 'leftright.rcc')) && rooms.length > 0) {
  for (const [p, blob] of rccFiles(join(GCOMPRIS, 'leftright.rcc'))) {
    if (!p.endsWith('.webp') || !p.includes('/resource/')) continue
    const hand = await sharp(blob).trim().resize(SIDE - 96, SIDE - 96, { fit: 'inside' }).png().toBuffer({ resolveWithObject: true })
    for (let k = 0; k < 4; k++) {
      const file = `gcompris_leftright__${basename(p, '.webp')}_${k}.jpg`
      if (listed.has(file)) continue
      const rand = mulberry32(seedOf('hand-background', p, k))
      const room = rooms[Math.floor(rand() * rooms.length)]
      const left = Math.floor(rand() * (SIDE - hand.info.width + 1)); const top = Math.floor(rand() * (SIDE - hand.info.height + 1))
      await sharp(join(dest, 'not_food', room)).resize(SIDE, SIDE, { fit: 'cover' }).composite([{ input: hand.data, left, top }]).flatten({ background: '#ffffff' }).jpeg({ quality: 88 }).toFile(join(dest, 'not_food', file))
      addRow(file, `leftright.rcc:${p}`, `photo of a hand, cut out, on ${room}`)
    }
  }
}
if (existsSync(join(GCOMPRIS, 'explore_world_music.rcc'))) {
  for (const [p, blob] of rccFiles(join(GCOMPRIS, 'explore_world_music.rcc'))) {
    if (!p.endsWith('.webp') || !p.includes('/resource/')) continue
    const file = `gcompris_music__${basename(p, '.webp')}.jpg`
    if (listed.has(file)) continue
    const info = await sharp(blob).resize(SIDE, SIDE, { fit: 'inside' }).flatten({ background: '#ffffff' }).jpeg({ quality: 88 }).toFile(join(dest, 'not_food', file))
    addRow(file, `explore_world_music.rcc:${p}`, 'photo of musicians', info.width, info.height)
  }
}
if (rows.length > 0) appendFileSync(manifestPath, rows.join('\n') + '\n')
console.log(`${PACKAGE}: ${stampRows} cut-outs added to ${dest} (${basename(stamps)} of ${version}); gcompris-qt-data: ${rows.length - stampRows} photos of hands and musicians`)
