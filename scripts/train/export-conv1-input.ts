/**
 * For the fine-tuning trial (scripts/train/finetune.py): the input of the COCO-SSD backbone's last layer (Conv_1, a 1x1
 * convolution 320 -> 1280 with its batch norm folded in, then ReLU6) for every training photo at 300x300 fill, view 0,
 * computed on onnxruntime through the service's converter, and Conv_1's folded weights. Run (about 6 minutes here):
 *   npx tsx scripts/train/export-conv1-input.ts [limit]
 * Writes data/cache/replica/coco_ssd-300-fill-conv1in/: train-v0.f32 ([n, 10, 10, 320] float32, 1.2 GB, the photos in
 * the order of export-features.ts's meta.json), external-v0.f32 (data/external), conv1-filter.f32 ([320, 1280]),
 * conv1-bias.f32 ([1280]), meta.json.
 */
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { mkdir, open, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CACHE_DIR, DATA_DIR, log } from './common.js'
import { loadItems } from './dataset.js'
import { inputSpecFor, normalizedBatch } from './features.js'
import { itemsFor } from './config.js'
import { cocoSsdDir } from './backbones.js'
import { onnxExtractor } from './onnx-features.js'
import { buildCocoSsdGraph, readCocoSsd, FEATURE_MAP } from '../model/coco-ssd.js'

await tf.setBackend('wasm'); await tf.ready()
const limit = process.argv[2] !== undefined ? Number(process.argv[2]) : Infinity
const items = itemsFor({ data: 'recipe+pack' }, await loadItems(DATA_DIR)).slice(0, limit)
const spec = inputSpecFor('coco_ssd', 'fill', 300)
const g = buildCocoSsdGraph(await readCocoSsd(cocoSsdDir()))
const nodes = g.modelJson.modelTopology.node
const conv1 = nodes.find(n => n.name === FEATURE_MAP)
if (conv1 === undefined || conv1.op !== '_FusedConv2D') throw new Error(`${FEATURE_MAP} is not a fused convolution`)
const [inputName, filterName, biasName] = conv1.input as string[]
log(`Conv_1 = ${conv1.name}: input ${inputName}`)
// the same graph, its output moved to Conv_1's input
const cut = { ...g, modelJson: { ...g.modelJson, signature: { inputs: (g.modelJson.signature as { inputs?: unknown }).inputs, outputs: { conv1_input: { name: `${inputName}:0` } } } } }
const dim = 10 * 10 * 320
const ox = await onnxExtractor(cut, dim, 2, 'COCO-SSD up to Conv_1')
const dir = join(CACHE_DIR, 'replica', 'coco_ssd-300-fill-conv1in')
await mkdir(dir, { recursive: true })
const weights = tf.io.decodeWeights(g.weightData.slice().buffer, g.modelJson.weightsManifest[0].weights as tf.io.WeightsManifestEntry[])
await writeFile(join(dir, 'conv1-filter.f32'), Buffer.from((await weights[filterName].data() as Float32Array).buffer))
await writeFile(join(dir, 'conv1-bias.f32'), Buffer.from((await weights[biasName].data() as Float32Array).buffer))
log(`Conv_1 filter ${JSON.stringify(weights[filterName].shape)}, bias ${JSON.stringify(weights[biasName].shape)}`)
const t0 = Date.now()
const batchSize = 16
const external = await loadItems(join(DATA_DIR, 'external'))
for (const [set, its] of [['external', external], ['train', items]] as const) {
  const fh = await open(join(dir, `${set}-v0.f32.tmp`), 'w')
  for (let b = 0; b < its.length; b += batchSize) {
    const part = its.slice(b, b + batchSize)
    const out = await ox.run(await normalizedBatch(part, 0, spec), part.length, 300)
    if (out.length !== part.length * dim) throw new Error(`expected [${part.length}, 10, 10, 320], got ${out.length} values`)
    await fh.write(Buffer.from(out.buffer, out.byteOffset, out.byteLength))
    if ((b / batchSize) % 20 === 0) log(`  ${set} ${b + part.length}/${its.length} (${((Date.now() - t0) / (b + part.length)).toFixed(0)} ms/img)`)
  }
  await fh.close()
  await rename(join(dir, `${set}-v0.f32.tmp`), join(dir, `${set}-v0.f32`))
}
await writeFile(join(dir, 'meta.json'), JSON.stringify({ node: inputName, shape: [10, 10, 320], train: items.map(it => it.file), external: external.map(it => it.file), seconds: (Date.now() - t0) / 1000 }))
log(`done: ${items.length} + ${external.length} photos in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
await ox.dispose()

