/**
 * model:external — the shipped model (MODEL_DIR, default model/food) on the external test set built by the data step
 * (data/external: plated dishes and fruit from Debian packages that training never reads and no setting was chosen
 * on). Every photo goes through the service's own decode/resize and classifier. Prints each photo's p(food), then
 * accuracy, food recall, specificity and the confusion matrix; writes data/reports/external-<model>.json.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TfjsClassifier } from '../../services/engines/tfjs/classifier.js'
import { DATA_DIR, MODEL_DIR, log } from './common.js'
import { loadItems } from './dataset.js'
import { computeMetrics, formatMetrics, round } from './metrics.js'
import { predictFoodOn } from './verify.js'

await tf.setBackend('wasm'); await tf.ready()
const items = await loadItems(join(DATA_DIR, 'external'))
const classifier = await TfjsClassifier.load(MODEL_DIR)
const pFood = await predictFoodOn(classifier, items)
items.forEach((it, i) => {
  const right = (pFood[i] >= 0.5) === (it.y === 0)
  console.log(`${right ? 'ok  ' : 'MISS'} ${it.cls.padEnd(8)} ${it.file.padEnd(40)} p(food) ${pFood[i].toFixed(3)}  ${it.note}`)
})
const m = computeMetrics(pFood, items.map(it => it.y))
console.log(formatMetrics(`${classifier.name} ${classifier.version} on data/external (${new Set(items.map(it => it.source)).size} packages never used in training)`, m))
await mkdir(join(DATA_DIR, 'reports'), { recursive: true })
const out = join(DATA_DIR, 'reports', `external-${classifier.name}.json`)
await writeFile(out, JSON.stringify({
  model: { name: classifier.name, version: classifier.version, sha256: classifier.digest },
  metrics: { n: m.n, accuracy: round(m.accuracy), foodRecall: round(m.foodRecall), notFoodSpecificity: round(m.notFoodSpecificity), confusion: m.confusion.matrix },
  predictions: items.map((it, i) => ({ file: it.file, source: it.source, label: it.cls, pFood: round(pFood[i]) }))
}, null, 2))
log(`wrote ${out}`)
