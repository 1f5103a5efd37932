/**
 * Rebuilds the unfused Keras-style layers model behind the fused food 2.0.0 (model/food-v2): the nsfwjs MobileNetV2 layers up
 * to the pooled features, then the head read back from the fused graph's final matmul. It is what the service
 * would run without scripts/model/fuse.ts: the benchmark's naive baseline (NAIVE_MODEL_DIR), and a check that
 * both give the same outputs.
 *
 *   npx tsx scripts/model/export-unfused.ts [model/food-v2] [out-dir]   (default out-dir: bench/unfused-food)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { assembleModel } from '../train/assemble.js'
import { TfjsClassifier } from '../../services/engines/tfjs/classifier.js'
import { selectBackend } from '../../services/engines/backend.js'
import { preprocessImage } from '../../services/image/decode.js'
import { readModelJson } from '../../services/models/manifest.js'
import { projectRoot } from '../../services/common/project.js'

const source = resolve(process.argv[2] ?? join(projectRoot, 'model/food-v2'))
const out = resolve(process.argv[3] ?? join(projectRoot, 'bench/unfused-food'))

const modelJson = await readModelJson(source)
const nodes = (modelJson.modelTopology as { node: Array<{ name: string, op: string, input?: string[] }> }).node
const matmuls = nodes.filter(n => n.op === '_FusedMatMul')
const last = matmuls[matmuls.length - 1]
if (last?.input === undefined) throw new Error(`${source}: no final _FusedMatMul`)
const [, kernelName, biasName] = last.input
const specs = modelJson.weightsManifest.flatMap(g => g.weights as Array<{ name: string, shape: number[], dtype: string }>)
const data = await readFile(join(source, modelJson.weightsManifest[0].paths[0]))
let offset = 0
const values = new Map<string, Float32Array>()
for (const spec of specs) {
  const count = spec.shape.reduce((a, b) => a * b, 1)
  const bytes = count * 4
  values.set(spec.name, new Float32Array(data.buffer.slice(data.byteOffset + offset, data.byteOffset + offset + bytes)))
  offset += bytes
}
const kernel = values.get(kernelName) as Float32Array
const bias = values.get(biasName) as Float32Array
const dim = kernel.length / 2
// softmax([a.x + b0, c.x + b1]) = sigmoid((a - c).x + (b0 - b1)): the head as one logit.
const w = new Float32Array(dim)
for (let i = 0; i < dim; i++) w[i] = kernel[i * 2] - kernel[i * 2 + 1]
const files = assembleModel('mobilenet_v2', { w, b: bias[0] - bias[1], temperature: 1 })
await mkdir(out, { recursive: true })
const paths = (files.modelJson.weightsManifest as Array<{ paths: string[] }>)[0].paths
await writeFile(join(out, 'model.json'), JSON.stringify(files.modelJson))
await writeFile(join(out, paths[0]), files.weights)
const manifest = JSON.parse(await readFile(join(source, 'manifest.json'), 'utf8')) as Record<string, unknown>
delete manifest.sha256
await writeFile(join(out, 'manifest.json'), JSON.stringify({ ...manifest, description: `${String(manifest.description)} (unfused layers model, for comparison)` }, null, 2))

await selectBackend('wasm')
const fused = await TfjsClassifier.load(source)
const unfused = await TfjsClassifier.load(out)
let maxDiff = 0
for (const dir of ['food', 'not_food']) {
  for (const name of ['opencv__apple.jpg', 'httpbin__jackal.jpg', 'matplotlib__grace_hopper.jpg', 'opencv__orange.jpg']) {
    const file = join(projectRoot, 'test/fixtures/photos', dir, name)
    const bytes = await readFile(file).catch(() => undefined)
    if (bytes === undefined) continue
    const input = (await preprocessImage(bytes, fused.inputSpec)).pixels
    const [a] = await fused.predictBatch([input])
    const [b] = await unfused.predictBatch([input])
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]))
  }
}
console.log(`wrote ${out} (${unfused.format}); fused vs unfused max abs diff on fixture photos: ${maxDiff.toExponential(2)}`)
fused.dispose()
unfused.dispose()
