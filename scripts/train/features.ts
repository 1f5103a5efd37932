import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import type { InputSpec } from '../../services/image/pixels.js'
import { normalizePixels } from '../../services/image/pixels.js'
import { AUG_VERSION, renderView } from './augment.js'
import { BACKBONES, cocoSsdDir, fusedFeatureGraph, loadFeatureExtractor, normalizationOf, type BackboneName, type FeatureExtractor } from './backbones.js'
import { CACHE_DIR, log } from './common.js'
import { buildCocoSsdGraph, headInput, readCocoSsd } from '../model/coco-ssd.js'
import { onnxExtractor, type BatchExtractor } from './onnx-features.js'
import { readRow, writeRow } from './replica-io.js'
import type { Item } from './dataset.js'

export function inputSpecFor (backbone: BackboneName, resizeMode: InputSpec['resizeMode'] = 'cover', size = BACKBONES[backbone].size): InputSpec {
  return { width: size, height: size, channels: 3, resizeMode, normalization: normalizationOf(backbone) }
}

function cachePath (backbone: BackboneName, spec: InputSpec, view: number | 'flip', file: string): string {
  const viewDir = view === 'flip' ? 'flip' : view === 0 ? 'v0' : `${AUG_VERSION}-v${view}`
  return join(CACHE_DIR, 'features', `${backbone}-${spec.width}-${spec.resizeMode}`, viewDir, `${file}.f32`)
}

/** Horizontal mirror of HWC pixels (what a test-time flip feeds the network). */
export function mirrorPixels (pixels: Uint8Array, width: number, height: number, channels = 3): Uint8Array {
  const out = new Uint8Array(pixels.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels; const to = (y * width + (width - 1 - x)) * channels
      for (let c = 0; c < channels; c++) out[to + c] = pixels[from + c]
    }
  }
  return out
}

/** A view to extract: views 0..k of augment.ts, or the mirror of view 0 (test-time flip; cached under `flip`). */
export type ViewKey = number | 'flip'

/**
 * The head's input for every view of every item (for coco_ssd: headInput of the cut graph's features). Pooled backbone features of views 0..views-1 of every item, from the cache in data/cache/features or
 * computed (and cached) on a miss. Result: feats[view][itemIndex]. coco_ssd features and those of the nsfwjs layers
 * models (fused by scripts/model/fuse.ts, then converted: mobilenet_v2, inception_v3) are computed on onnxruntime (the service's own conversion of the graph; FEATURE_ENGINE=wasm for
 * TF.js), mobilenet_v2_mid on TF.js.
 */
export async function getFeatures (tf: typeof tfTypes, backbone: BackboneName, items: Item[], views: number, spec: InputSpec = inputSpecFor(backbone), batchSize = 16): Promise<Float32Array[][]> {
  return await extractViews(tf, backbone, items, Array.from({ length: views }, (_, v) => v), spec, batchSize)
}

/** The head's input for the horizontal mirror of every item's view 0 (test-time flip), cached like the views. */
export async function getMirroredFeatures (tf: typeof tfTypes, backbone: BackboneName, items: Item[], spec: InputSpec = inputSpecFor(backbone), batchSize = 16): Promise<Float32Array[]> {
  return (await extractViews(tf, backbone, items, ['flip'], spec, batchSize))[0]
}

/** Runs a batch of normalised pixels [n, H, W, 3] through a network: [n, dim] rows. */
export type RunBatch = (batch: Float32Array, n: number) => Promise<Float32Array>

/**
 * The rows of one view of every item: read from the cache (pathOf(file)), the missing ones computed in batches by the
 * network that open() gives (called only on a miss) and cached row by row, so a crash loses nothing.
 */
export async function cachedRows (items: Item[], view: ViewKey, spec: InputSpec, dim: number, pathOf: (file: string) => string,
  open: () => Promise<RunBatch>, label: string, batchSize = 16): Promise<Float32Array[]> {
  const rows: Array<Float32Array | undefined> = await Promise.all(items.map(async it => await readRow(pathOf(it.file), dim)))
  const missing = rows.map((f, i) => f === undefined ? i : -1).filter(i => i >= 0)
  if (missing.length === 0) return rows as Float32Array[]
  const run = await open()
  log(`${label}: extracting ${missing.length} of ${items.length}`)
  const t0 = Date.now()
  await mkdir(join(pathOf('x'), '..'), { recursive: true })
  for (let b = 0; b < missing.length; b += batchSize) {
    const idx = missing.slice(b, b + batchSize)
    const data = await run(await normalizedBatch(idx.map(i => items[i]), view, spec), idx.length)
    for (let k = 0; k < idx.length; k++) {
      const f = data.slice(k * dim, (k + 1) * dim)
      rows[idx[k]] = f
      await writeRow(pathOf(items[idx[k]].file), f)
    }
    if ((b / batchSize) % 10 === 0) log(`  ${b + idx.length}/${missing.length} (${((Date.now() - t0) / (b + idx.length)).toFixed(0)} ms/img)`)
  }
  return rows as Float32Array[]
}

/** A view of each item, decoded, resized and normalised as spec says, in one [n, H, W, 3] batch. */
export async function normalizedBatch (items: Item[], view: ViewKey, spec: InputSpec): Promise<Float32Array> {
  const pixels = await Promise.all(items.map(async it => await renderPixels(it, view, spec)))
  const batch = new Float32Array(items.length * spec.width * spec.height * 3)
  pixels.forEach((p, k) => normalizePixels(p, spec, batch.subarray(k * p.length, (k + 1) * p.length)))
  return batch
}

/** The pixels of a view: augment.ts view v, or the mirror of view 0. */
async function renderPixels (it: Item, v: ViewKey, spec: InputSpec): Promise<Uint8Array> {
  if (v !== 'flip') return (await renderView(await readFile(it.path), it.file, v, spec)).pixels
  return mirrorPixels((await renderView(await readFile(it.path), it.file, 0, spec)).pixels, spec.width, spec.height)
}

async function extractViews (tf: typeof tfTypes, backbone: BackboneName, items: Item[], views: ViewKey[], spec: InputSpec, batchSize: number): Promise<Float32Array[][]> {
  let fe: FeatureExtractor | undefined
  let onnx: BatchExtractor | undefined
  const info = BACKBONES[backbone]
  const useOnnx = (info.source === 'coco-ssd' || info.format === 'layers-model') && process.env.FEATURE_ENGINE !== 'wasm'
  const dim = info.dim
  const out: Float32Array[][] = []
  const extractBatch: RunBatch = async (batch, n) => {
    if (onnx !== undefined) return await onnx.run(batch, n, spec.width)
    const x = tf.tensor4d(batch, [n, spec.height, spec.width, 3])
    const y = (fe as FeatureExtractor).extract(x)
    try { return await y.data() as Float32Array } finally { x.dispose(); y.dispose() }
  }
  const open = async (): Promise<RunBatch> => {
    if (useOnnx) {
      onnx ??= info.source === 'coco-ssd'
        ? await onnxExtractor(buildCocoSsdGraph(await readCocoSsd(cocoSsdDir())), dim)
        : await onnxExtractor((await fusedFeatureGraph(tf, backbone)).fused, dim, 2, `the fused ${backbone} feature graph`)
    } else fe ??= await loadFeatureExtractor(tf, backbone)
    return extractBatch
  }
  for (const v of views) {
    const feats = await cachedRows(items, v, spec, dim, file => cachePath(backbone, spec, v, file), open,
      `${backbone} view ${v} (${useOnnx ? 'onnxruntime' : 'TF.js'})`, batchSize)
    // coco_ssd: the cache holds the graph's features (sigmoid scores); the head reads the scores as log-odds
    out.push(info.source === 'coco-ssd' ? feats.map(headInput) : feats)
  }
  fe?.dispose()
  await onnx?.dispose()
  return out
}
