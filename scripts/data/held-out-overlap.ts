/**
 * Checks that no training photo is a copy of a photo from the sources the team builds its held-out sets from
 * (issue 26's list: a photo from them in training would make those figures meaningless). Downloads each of those
 * Debian and npm packages (cached in WORK, as for the data step) and compares every image in them with every training
 * photo (data/manifest.csv) and its mirror: the correlation of their 16x16 greyscale thumbnails (mean removed), which
 * a re-encoded, resized, recompressed or slightly recoloured copy keeps near 1. Plain images (icons, gradients, flat
 * backgrounds: thumbnail spread under 8 grey levels) are skipped, since any two of them correlate. Prints every pair
 * at or above THRESHOLD, best first, and the closest few below it; exit status 1 when any pair is found.
 *
 * Usage: npx tsx scripts/data/held-out-overlap.ts [DATA_DIR] [THRESHOLD=0.98]
 * A crop or a different photo of the same scene usually falls below the threshold: look at what it prints near it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import sharp from 'sharp'
import { loadItems } from '../train/dataset.js'
import { fetchDeb } from './debian.js'

/** Issue 26: "Do NOT use these sources, which our held-out sets are built from". */
export const HELD_OUT_DEBIAN = [
  'qtwebengine5-examples', 'qtdeclarative5-examples', 'scribus-template', 'palapeli-data', 'kphotoalbum',
  'lomiri-wallpapers', 'lomiri-wallpapers-16.04', 'lomiri-wallpapers-20.04', 'python-kivy-examples', 'python3-relatorio',
  'gnome-control-center-data', 'forensics-samples-files', 'mate-backgrounds', 'libdlib19.1', 'python3-skimage'
]
export const HELD_OUT_NPM = ['exif-js', 'exif', 'jpegtran-bin', 'mozjpeg']

const IMAGE = /\.(jpe?g|png|webp|gif|tiff?|bmp|avif|heic|jxl)$/i

const SIDE = 16

/** The 16x16 greyscale thumbnail, mean removed and scaled to unit length (undefined for a plain image), and its mirror. */
export async function thumbnail (input: Buffer | string): Promise<[Float32Array, Float32Array] | undefined> {
  const { data } = await sharp(input, { failOn: 'none', limitInputPixels: 1e8, pages: 1 })
    .flatten({ background: '#ffffff' }).greyscale().resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true })
  const n = SIDE * SIDE
  let mean = 0
  for (let i = 0; i < n; i++) mean += data[i]
  mean /= n
  let ss = 0
  for (let i = 0; i < n; i++) ss += (data[i] - mean) ** 2
  if (Math.sqrt(ss / n) < 8) return undefined
  const t = new Float32Array(n); const m = new Float32Array(n)
  const norm = Math.sqrt(ss)
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      t[y * SIDE + x] = (data[y * SIDE + x] - mean) / norm
      m[y * SIDE + x] = (data[y * SIDE + SIDE - 1 - x] - mean) / norm
    }
  }
  return [t, m]
}

export function correlation (a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

function walk (dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.isFile() && IMAGE.test(e.name)) out.push(p)
  }
  return out
}

function fetchNpm (work: string, pkg: string): string {
  const root = join(work, 'npm-x', pkg)
  if (!existsSync(root)) {
    const dir = join(work, 'npm')
    mkdirSync(dir, { recursive: true })
    const tgz = execFileSync('npm', ['pack', '--silent', pkg], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop() as string
    mkdirSync(root, { recursive: true })
    execFileSync('tar', ['xzf', join(dir, tgz), '-C', root])
  }
  return root
}

async function main (): Promise<void> {
  const dataDir = resolve(process.argv[2] ?? 'data')
  const threshold = Number(process.argv[3] ?? '0.98')
  const work = resolve(process.env.WORK ?? '/tmp/food-ds-work')
  const held: Array<{ where: string, t: Float32Array }> = []
  const roots = [
    ...HELD_OUT_DEBIAN.map(p => ({ name: p, root: fetchDeb(work, p).root })),
    ...HELD_OUT_NPM.map(p => ({ name: `npm:${p}`, root: fetchNpm(work, p) }))
  ]
  for (const { name, root } of roots) {
    const files = walk(root)
    let n = 0; let plain = 0
    for (const f of files) {
      try {
        const t = await thumbnail(f)
        if (t === undefined) plain++
        else { held.push({ where: `${name}:${relative(root, f)}`, t: t[0] }); n++ }
      } catch { /* not an image sharp reads */ }
    }
    console.log(`${name}: ${n} images compared, ${plain} plain ones skipped`)
  }
  const items = await loadItems(dataDir)
  const closest: Array<{ file: string, where: string, r: number }> = []
  for (const it of items) {
    const t = await thumbnail(it.path)
    if (t === undefined) continue
    let best = { where: '', r: -1 }
    for (const x of held) {
      const r = Math.max(correlation(t[0], x.t), correlation(t[1], x.t))
      if (r > best.r) best = { where: x.where, r }
    }
    closest.push({ file: `${it.cls}/${it.file} (${it.source})`, where: best.where, r: best.r })
  }
  closest.sort((a, b) => b.r - a.r)
  const hits = closest.filter(x => x.r >= threshold)
  for (const x of closest.slice(0, hits.length + 10)) console.log(`${x.r.toFixed(3)}${x.r >= threshold ? ' COPY?' : ''}: ${x.file} ~ ${x.where}`)
  console.log(`${items.length} training photos against ${held.length} held-out-source images: ${hits.length} at or above ${threshold}`)
  if (hits.length > 0) process.exitCode = 1
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  await main().catch((err: Error) => {
    console.error(`data:overlap: ${err.message.split('\n')[0]} (needs Debian's apt-get and dpkg-deb, and npm, to fetch the held-out sources)`)
    process.exitCode = 2
  })
}
