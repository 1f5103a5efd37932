import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

export const LABELS = ['food', 'not_food'] as const
export type Label = typeof LABELS[number]

export interface Item {
  /** 0 = food, 1 = not_food (index into LABELS, the model's output order). */
  y: number
  cls: Label
  file: string
  path: string
  /** Source package: the unit that grouped evaluation holds out. */
  source: string
  licence: string
  note: string
  version: string
  sourcePath: string
  width: number
  height: number
}

/** Splits one CSV line (RFC 4180 quoting). */
/** A manifest.csv line: `values` in the header's column order, quoted where a value needs it (parseCsvLine reads it back). */
export function formatCsvLine (header: string[], values: Record<string, string>): string {
  return header.map(h => { const v = values[h] ?? ''; return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v }).join(',')
}

export function parseCsvLine (line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++ } else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') { out.push(cur); cur = '' } else cur += c
  }
  out.push(cur)
  return out
}

export function parseManifestCsv (text: string, dataDir: string): Item[] {
  const lines = text.split(/\r?\n/).filter(l => l.trim() !== '')
  const header = parseCsvLine(lines[0])
  const col = (name: string): number => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`manifest.csv has no column ${name}`)
    return i
  }
  const [cC, cF, cW, cH, cS, cL, cN, cV, cP] = ['class', 'file', 'width', 'height', 'source_package', 'licence', 'note', 'version', 'source_path'].map(col)
  const items: Item[] = []
  for (const line of lines.slice(1)) {
    const f = parseCsvLine(line)
    const cls = f[cC]
    if (cls !== 'food' && cls !== 'not_food') continue // ambiguous photos are for inspection, not labels
    items.push({
      y: LABELS.indexOf(cls),
      cls,
      file: f[cF],
      path: join(dataDir, cls, f[cF]),
      source: f[cS],
      licence: f[cL],
      note: f[cN] ?? '',
      version: f[cV] ?? '',
      sourcePath: f[cP] ?? '',
      width: Number(f[cW]),
      height: Number(f[cH])
    })
  }
  return items
}

export async function loadItems (dataDir: string): Promise<Item[]> {
  let text: string
  try {
    text = await readFile(join(dataDir, 'manifest.csv'), 'utf8')
  } catch {
    throw new Error(`No dataset at ${dataDir} (manifest.csv missing): run \`npm run data\` (bash scripts/data/data.sh) first.`)
  }
  return parseManifestCsv(text, dataDir)
}

/**
 * Test fixture photos (test/fixtures/photos) from packages the training data does not use: scikit-image's samples and
 * the external test set's plated dishes. Added by hand, kept by scripts/train/fixtures.ts, a held-out check in tests.
 */
export const UNSEEN_SOURCE_FIXTURE = /^(skimage|qtdeclarative|scribus)__/

/**
 * Every fixture added by hand (a section of their own in SOURCES.md): the unseen-source ones, and the drinks, dishes and
 * hard not-food photos added for food 3.0.0. scripts/train/fixtures.ts keeps them on a rerun.
 */
export function isHandAddedFixture (file: string): boolean {
  return UNSEEN_SOURCE_FIXTURE.test(file) || /^(based__|scratch__kitchen\.|gcompris_categorization__plate\.|jxltest__hdr_room\.)/.test(file)
}
