import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import type { InputSpec } from '../../services/image/pixels.js'
import { normalizePixels } from '../../services/image/pixels.js'
import { AUG_VERSION, renderView } from './augment.js'
import { BACKBONES, cocoSsdDir, loadFeatureExtractor, normalizationOf, type BackboneName, type FeatureExtractor } from './backbones.js'
import { CACHE_DIR, log } from './common.js'
import { buildCocoSsdGraph, headInput, readCocoSsd } from '../model/coco-ssd.js'
import { onnxExtractor, type BatchExtractor } from './onnx-features.js'
import type { Item } from './dataset.js'

export function inputSpecFor (backbone: BackboneName, resizeMode: InputSpec['resizeMode'] = 'cover', size = BACKBONES[backbone].size): InputSpec {
  return { width: size, height: size, channels: 3, resizeMode, normalization: normalizationOf(backbone) }
}

function cachePath (backbone: BackboneName, spec: InputSpec, view: number, file: string): string {
  const viewDir = view === 0 ? 'v0' : `${AUG_VERSION}-v${view}`
  return join(CACHE_DIR, 'features', `${backbone}-${spec.width}-${spec.resizeMode}`, viewDir, `${file}.f32`)
}

async function readCached (path: string, dim: number): Promise<Float32Array | undefined> {
  try {
    const buf = await readFile(path)
    if (buf.byteLength !== dim * 4) return undefined
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
  } catch { return undefined }
}

/**
 * The head's input for every view of every item (for coco_ssd: headInput of the cut graph's features). Pooled backbone features of views 0..views-1 of every item, from the cache in data/cache/features or
 * computed (and cached) on a miss. Result: feats[view][itemIndex]. coco_ssd features are computed on onnxruntime (the
 * service's own conversion of the graph; FEATURE_ENGINE=wasm for TF.js), the others on TF.js.
 */
export async function getFeatures (tf: typeof tfTypes, backbone: BackboneName, items: Item[], views: number, spec: InputSpec = inputSpecFor(backbone), batchSize = 16): Promise<Float32Array[][]> {
  let fe: FeatureExtractor | undefined
  let onnx: BatchExtractor | undefined
  const useOnnx = BACKBONES[backbone].source === 'coco-ssd' && process.env.FEATURE_ENGINE !== 'wasm'
  const dim = BACKBONES[backbone].dim
  const out: Float32Array[][] = []
  const extractBatch = async (batch: Float32Array, n: number): Promise<Float32Array> => {
    if (onnx !== undefined) return await onnx.run(batch, n, spec.width)
    const x = tf.tensor4d(batch, [n, spec.height, spec.width, 3])
    const y = (fe as FeatureExtractor).extract(x)
    try { return await y.data() as Float32Array } finally { x.dispose(); y.dispose() }
  }
  for (let v = 0; v < views; v++) {
    const feats: Array<Float32Array | undefined> = await Promise.all(items.map(async it => await readCached(cachePath(backbone, spec, v, it.file), dim)))
    const missing = feats.map((f, i) => f === undefined ? i : -1).filter(i => i >= 0)
    if (missing.length > 0) {
      if (useOnnx) onnx ??= await onnxExtractor(buildCocoSsdGraph(await readCocoSsd(cocoSsdDir())), dim)
      else fe ??= await loadFeatureExtractor(tf, backbone)
      log(`${backbone} view ${v}: extracting ${missing.length} of ${items.length} (${useOnnx ? 'onnxruntime' : 'TF.js'})`)
      const t0 = Date.now()
      await mkdir(join(cachePath(backbone, spec, v, 'x'), '..'), { recursive: true })
      for (let b = 0; b < missing.length; b += batchSize) {
        const idx = missing.slice(b, b + batchSize)
        const pixels = await Promise.all(idx.map(async i => (await renderView(await readFile(items[i].path), items[i].file, v, spec)).pixels))
        const batch = new Float32Array(idx.length * spec.width * spec.height * 3)
        pixels.forEach((p, k) => normalizePixels(p, spec, batch.subarray(k * p.length, (k + 1) * p.length)))
        const data = await extractBatch(batch, idx.length)
        for (let k = 0; k < idx.length; k++) {
          const f = data.slice(k * dim, (k + 1) * dim)
          feats[idx[k]] = f
          const path = cachePath(backbone, spec, v, items[idx[k]].file)
          await writeFile(path + '.tmp', Buffer.from(f.buffer))
          await rename(path + '.tmp', path)
        }
        if ((b / batchSize) % 10 === 0) log(`  ${b + idx.length}/${missing.length} (${((Date.now() - t0) / (b + idx.length)).toFixed(0)} ms/img)`)
      }
    }
    // coco_ssd: the cache holds the graph's features (sigmoid scores); the head reads the scores as log-odds
    out.push(BACKBONES[backbone].source === 'coco-ssd' ? (feats as Float32Array[]).map(headInput) : feats as Float32Array[])
  }
  fe?.dispose()
  await onnx?.dispose()
  return out
}
