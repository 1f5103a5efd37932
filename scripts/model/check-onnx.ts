/**
 * Converts a TF.js graph model directory to ONNX as the service would and checks it on real photos, without
 * touching the service's cache: prints the TF ops converted, the largest |TF.js - onnxruntime| and where the ONNX
 * file was written. For a new model before it ships (the service refuses to serve a conversion over 1e-4).
 *
 *   npx tsx scripts/model/check-onnx.ts model/food [photosDir]
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { selectBackend } from '../../services/engines/backend.js'
import { SUPPORTED_OPS } from '../../services/engines/onnx/convert.js'
import { prepareOnnxModel } from '../../services/engines/onnx/prepare.js'
import { projectRoot } from '../../services/common/project.js'

const modelDir = resolve(process.argv[2] ?? join(projectRoot, 'model/food'))
const photos = resolve(process.argv[3] ?? join(projectRoot, 'test/fixtures/photos'))
await selectBackend('wasm')
const cacheDir = await mkdtemp(join(tmpdir(), 'check-onnx-'))
try {
  const prepared = await prepareOnnxModel(modelDir, { cacheDir, checkPhotosDir: photos, maxPhotos: 20, precision: 'fp32' })
  console.log(`${modelDir}: converted (${prepared.path})`)
  console.log(`  TF ops: ${Object.entries(prepared.opCounts).map(([op, n]) => `${op} ${n}`).join(', ')}`)
  console.log(`  max |TF.js - onnxruntime| ${prepared.check.maxAbsDiff} over ${prepared.check.photos.length} photos (tolerance ${prepared.check.tolerance})`)
} catch (err) {
  console.error(`${modelDir}: ${(err as Error).message}`)
  console.error(`  supported TF ops: ${SUPPORTED_OPS.join(', ')}`)
  process.exitCode = 1
}
