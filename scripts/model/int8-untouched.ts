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
import { OnnxClassifier } from '../../services/engines/onnx/classifier.js'
import { prepareOnnxModel } from '../../services/engines/onnx/prepare.js'
import { ModelDescription } from '../../services/models/description.js'
import { projectRoot } from '../../services/common/project.js'
import { loadItems, type Item } from '../train/dataset.js'
import { renderView } from '../train/augment.js'
import { DATA_DIR } from '../train/common.js'
import { comparePrecisions, type PrecisionRow } from './int8-calibration.js'

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
  const foodIndex = fp32.description.labels.indexOf('food')
  for (const set of sets) {
    const rows: PrecisionRow[] = []
    for (let b = 0; b < set.items.length; b += 8) {
      const batch = set.items.slice(b, b + 8)
      const inputs = await Promise.all(batch.map(async it => (await renderView(await readFile(it.path), it.file, set.view, spec)).pixels))
      const [pa, pb] = [await fp32.predictBatch(inputs), await int8.predictBatch(inputs)]
      rows.push(...batch.map((it, k) => ({ file: it.file, truth: it.cls, fp32: pa[k], int8: pb[k] })))
    }
    const m = comparePrecisions(rows, output => fp32.describe(output), foodIndex)
    const pct = (x: number): string => `${(100 * x).toFixed(2)}%`
    console.log(`${set.name}: ${m.photos} photos; accuracy fp32 ${pct(m.accuracyFp32)}, int8 ${pct(m.accuracyInt8)}; ${m.labelChanges} answers changed (${m.labelChangesToRight} to right, ${m.labelChangesToWrong} to wrong); largest change of an output ${m.maxAbsDiff.toFixed(3)}`)
    for (const r of rows) {
      if (fp32.describe(r.fp32).label !== fp32.describe(r.int8).label) console.log(`  ${r.file} (${r.truth}): p(food) ${r.fp32[foodIndex].toFixed(3)} -> ${r.int8[foodIndex].toFixed(3)}`)
    }
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true })
}
