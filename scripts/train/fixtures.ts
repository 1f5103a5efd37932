/**
 * Picks test/fixtures/photos: real photos under licences compatible with an MIT repository (public domain,
 * CC0, BSD, MIT) that the shipped model/food classifies correctly with margin, re-encoded small (<= 640 px,
 * JPEG q85), with SOURCES.md. They come from the training set, so they are smoke tests, not a held-out test.
 * The fixtures from sources training never used (scikit-image, the external test set's plated dishes) are added by
 * hand with their own sections of SOURCES.md; a rerun keeps them and those sections.
 *   npx tsx scripts/train/fixtures.ts
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import sharp from 'sharp'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { InputSpec } from '../../services/image/pixels.js'
import { readManifest } from '../../services/models/manifest.js'
import { DATA_DIR, MODEL_DIR, REPO_ROOT, log } from './common.js'
import { loadItems, isHandAddedFixture, type Item } from './dataset.js'
import { loadModelDir, predictPhoto } from './verify.js'

const PERMISSIVE = /^(public domain|cc0|bsd-[23]-clause|mit)\b/i
const PER_CLASS = 8
const OUT = join(REPO_ROOT, 'test', 'fixtures', 'photos')

await tf.setBackend('wasm'); await tf.ready()
const manifest = await readManifest(MODEL_DIR)
const spec = manifest.input as InputSpec
const model = await loadModelDir(tf, MODEL_DIR)
const margin = 0.75

const prob = async (buf: Buffer, k: number): Promise<number> => (await predictPhoto(tf, model, buf, spec))[k]

const items = (await loadItems(DATA_DIR)).filter(it => PERMISSIVE.test(it.licence.trim()) && it.width >= 160 && it.height >= 120)
const previous = await readFile(join(OUT, 'SOURCES.md'), 'utf8').catch(() => '')
const handSections = previous.includes('\n## ') ? previous.slice(previous.indexOf('\n## ')) : ''
for (const label of manifest.labels) {
  for (const f of await readdir(join(OUT, label)).catch(() => [] as string[])) {
    if (!isHandAddedFixture(f)) await rm(join(OUT, label, f))
  }
}
const rows: string[] = []
for (const [k, label] of manifest.labels.entries()) {
  await mkdir(join(OUT, label), { recursive: true })
  // round-robin over source packages so one package does not fill the set
  const bySource = new Map<string, Item[]>()
  for (const it of items.filter(i => i.cls === label).sort((a, b) => a.file.localeCompare(b.file))) {
    bySource.set(it.source, [...(bySource.get(it.source) ?? []), it])
  }
  const order: Item[] = []
  for (let r = 0; order.length < items.length && r < 1000; r++) {
    let any = false
    for (const list of bySource.values()) if (list[r] !== undefined) { order.push(list[r]); any = true }
    if (!any) break
  }
  let n = 0
  for (const it of order) {
    if (n >= PER_CLASS) break
    const small = await sharp(await readFile(it.path)).resize(640, 640, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer()
    const p = await prob(small, k)
    if (p < margin) { log(`skip ${label}/${it.file}: p(${label}) = ${p.toFixed(3)}`); continue }
    await writeFile(join(OUT, label, it.file), small)
    rows.push(`| ${label}/${it.file} | ${it.source} ${it.version ?? ''} | \`${it.sourcePath ?? ''}\` | ${it.licence} | ${p.toFixed(3)} |`)
    log(`${label}/${it.file}: p(${label}) = ${p.toFixed(3)}`)
    n++
  }
  if (n < PER_CLASS) log(`only ${n} ${label} photos under a permissive licence pass the margin`)
}
await writeFile(join(OUT, 'SOURCES.md'), `# Test photos

Real photos for tests, chosen by \`scripts/train/fixtures.ts\` from the dataset built by \`scripts/data/data.sh\`: only files whose
licence (manifest.csv) is public domain, CC0, BSD or MIT, re-encoded to at most 640 px (JPEG quality 85). Each is
classified correctly by model/food ${manifest.version} with a probability of at least ${margin} for its label (last column, at the time of
selection; below the manifest's uncertainThreshold ${manifest.uncertainThreshold} the service flags the prediction uncertain). They are part of the training data, so they are smoke tests of the shipped model, not a held-out test.
BSD and MIT files remain copyright their authors and are redistributed under those licences, which ask that the
copyright notice be kept: OpenCV sample data, Copyright (C) 2000-2022 Intel Corporation, Willow Garage, Itseez, OpenCV
Foundation and others (BSD-3-Clause); goexif test data, Copyright (c) 2012 Robert Carlsen and contributors (BSD-2-Clause);
the MIT files are from the packages named below, copyright their authors.

| file | source package (Debian/npm) | path in the package | licence | p(label) |
|---|---|---|---|---:|
${rows.join('\n')}
${handSections}`)
log(`wrote ${OUT}`)
