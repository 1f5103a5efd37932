/**
 * fp32 against int8, as the service serves them (onnxruntime, the model's int8.json), on photos that trained
 * nothing: the external test set (data/external: labelled, from packages training never reads) and an augmented
 * view of every 4th photo of data/ (scripts/train/augment.ts view 1: crop, flip, colour jitter, background
 * replaced; the head was trained on the photos as they are, never on these views). Prints accuracy in each
 * precision, the answers that change with their fp32 probability, and the largest probability change.
 *
 *   npx tsx scripts/model/int8-untouched.ts model/food      (DATA_DIR as for the training scripts)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { OnnxClassifier } from '../../services/onnx/classifier.js'
import { prepareOnnxModel } from '../../services/onnx/prepare.js'
import { ModelDescription } from '../../services/classifier.js'
import { projectRoot } from '../../services/project.js'
import { loadItems, type Item } from '../train/dataset.js'
import { renderView } from '../train/augment.js'
import { DATA_DIR } from '../train/common.js'

const modelDir = resolve(process.argv[2] ?? join(projectRoot, 'model/food'))
const spec = (await ModelDescription.read(modelDir)).inputSpec
const cacheDir = await mkdtemp(join(tmpdir(), 'int8-untouched-'))
try {
  const options = { cacheDir, checkPhotosDir: join(projectRoot, 'test/fixtures/photos') }
  const fp32File = await prepareOnnxModel(modelDir, { ...options, precision: 'fp32' })
  const int8File = await prepareOnnxModel(modelDir, { ...options, precision: 'int8' })
  const settings = { intraOpThreads: 2, spinning: false }
  const fp32 = await OnnxClassifier.load(modelDir, fp32File, settings)
  const int8 = await OnnxClassifier.load(modelDir, int8File, settings)
  const sets: Array<{ name: string, items: Item[], view: number }> = [
    { name: 'external set (data/external)', items: await loadItems(join(DATA_DIR, 'external')), view: 0 },
    { name: 'augmented view 1 of every 4th photo of data/', items: (await loadItems(DATA_DIR)).filter((_, i) => i % 4 === 0), view: 1 }
  ]
  for (const set of sets) {
    let right32 = 0; let right8 = 0; let maxChange = 0
    const changed: string[] = []
    for (let b = 0; b < set.items.length; b += 8) {
      const batch = set.items.slice(b, b + 8)
      const inputs = await Promise.all(batch.map(async it => (await renderView(await readFile(it.path), it.file, set.view, spec)).pixels))
      const [pa, pb] = [await fp32.predictBatch(inputs), await int8.predictBatch(inputs)]
      batch.forEach((it, k) => {
        const food32 = pa[k][0] >= pa[k][1]; const food8 = pb[k][0] >= pb[k][1]
        if (food32 === (it.y === 0)) right32++
        if (food8 === (it.y === 0)) right8++
        maxChange = Math.max(maxChange, Math.abs(pa[k][0] - pb[k][0]))
        if (food32 !== food8) changed.push(`${it.file} (${it.cls}): p(food) ${pa[k][0].toFixed(3)} -> ${pb[k][0].toFixed(3)}`)
      })
    }
    const n = set.items.length
    console.log(`${set.name}: ${n} photos; accuracy fp32 ${(100 * right32 / n).toFixed(2)}%, int8 ${(100 * right8 / n).toFixed(2)}% (${right8 - right32 >= 0 ? '+' : ''}${(100 * (right8 - right32) / n).toFixed(2)} points); ${changed.length} answers changed; largest change of p(food) ${maxChange.toFixed(3)}`)
    for (const c of changed) console.log(`  ${c}`)
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
