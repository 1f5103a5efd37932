import type * as tfTypes from '@tensorflow/tfjs'
import { loadFromDirectory } from '../../services/engines/tfjs/model-files.js'
import { readModelJson } from '../../services/models/manifest.js'
import { decodeAndResize, preprocessImage } from '../../services/image/decode.js'
import type { InputSpec } from '../../services/image/pixels.js'
import { normalizePixels } from '../../services/image/pixels.js'
import type { TfjsClassifier } from '../../services/engines/tfjs/classifier.js'
import { readFile } from 'node:fs/promises'
import type { Item } from './dataset.js'

export type AnyModel = tfTypes.LayersModel | tfTypes.GraphModel

/** Loads a model directory the way the service does (format from model.json). */
export async function loadModelDir (tf: typeof tfTypes, dir: string): Promise<AnyModel> {
  const json = await readModelJson(dir)
  return json.format === 'graph-model' ? await tf.loadGraphModel(loadFromDirectory(dir)) : await tf.loadLayersModel(loadFromDirectory(dir))
}

export function runModel (model: AnyModel, x: tfTypes.Tensor4D): tfTypes.Tensor2D {
  // LayersModel has an execute() too (by output names), so tell them apart by predict's owner
  return (!('layers' in model)
    ? (model as tfTypes.GraphModel).execute(x)
    : (model as tfTypes.LayersModel).predict(x)) as tfTypes.Tensor2D
}

/** One photo (encoded bytes) through the service's decode and normalisation, then the model: its probability row. */
export async function predictPhoto (tf: typeof tfTypes, model: AnyModel, photo: Uint8Array, spec: InputSpec): Promise<number[]> {
  const { pixels } = await preprocessImage(photo, spec)
  const x = tf.tensor4d(normalizePixels(pixels, spec), [1, spec.height, spec.width, 3])
  const y = runModel(model, x)
  const [row] = await y.array()
  x.dispose(); y.dispose()
  return row
}

/**
 * Indices of up to `perClass` items of each class, evenly spaced through the (sorted) item list, so a check
 * covers every part of the data set deterministically.
 */
export function stratifiedPick (labels: ArrayLike<number>, perClass: number): number[] {
  const out: number[] = []
  for (const cls of [...new Set(Array.from(labels))].sort((a, b) => a - b)) {
    const idx = Array.from(labels).flatMap((y, i) => y === cls ? [i] : [])
    const k = Math.min(perClass, idx.length)
    for (let j = 0; j < k; j++) out.push(idx[Math.floor(j * idx.length / k)])
  }
  return out.sort((a, b) => a - b)
}

/** Largest absolute difference between two equally long lists of probability rows. */
export function maxAbsDiff (a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} rows vs ${b.length}`)
  let m = 0
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new Error(`row ${i}: ${row.length} vs ${b[i].length} values`)
    for (let j = 0; j < row.length; j++) m = Math.max(m, Math.abs(row[j] - b[i][j]))
  })
  return m
}

export { median } from '../../services/common/stats.js'

/**
 * p(food) of each photo through the service's own decode and resize (decodeAndResize) and a loaded classifier, one at
 * a time: what the service would answer for it (model:external and the external check at training).
 */
export async function predictFoodOn (classifier: TfjsClassifier, items: Array<Pick<Item, 'path'>>): Promise<number[]> {
  const food = classifier.labels.indexOf('food')
  const out: number[] = []
  for (const it of items) {
    const { pixels } = await decodeAndResize(await readFile(it.path), classifier.inputSpec)
    out.push((await classifier.predictBatch([pixels]))[0][food])
  }
  return out
}
