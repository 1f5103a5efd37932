import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { selectBackend } from './services/backend.js'
await selectBackend('wasm')
const dir = 'model/food-fast'
const mj = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8'))
const wd = readFileSync(`${dir}/group1-shard1of1.bin`)
const b64 = (s: string) => Buffer.from(s).toString('base64')
function load (j: any) {
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: j.weightsManifest[0].weights, weightData: wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.length) }))
}
// variant: Pad((0,1),(0,1)) + VALID stride 2 -> SAME (identical for even inputs, k=3)
const j2 = JSON.parse(JSON.stringify(mj))
const nodes = j2.modelTopology.node
const pads = new Map<string, any>()
for (const n of nodes) if (n.op === 'Pad') pads.set(n.name, n)
for (const n of nodes) {
  const src = n.input?.[0]
  if (src && pads.has(src)) {
    const p = pads.get(src)
    console.log('consumer', n.name, n.op, Buffer.from(n.attr.padding.s, 'base64').toString(), n.attr.strides?.list?.i, 'pad in', p.input[0])
    n.input[0] = p.input[0]; n.attr.padding = { s: b64('SAME') }
  }
}
j2.modelTopology.node = nodes.filter((n: any) => !(n.op === 'Pad') && !(n.name.endsWith('/paddings') && [...pads.values()].some(p => p.input[1] === n.name)))
const m1 = await load(mj); const m2 = await load(j2)
const x = tf.randomUniform([1, 224, 224, 3], -1, 1)
const y1 = m1.predict(x) as tf.Tensor; const y2 = m2.predict(x) as tf.Tensor
console.log('max abs diff', tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0], y1.dataSync(), y2.dataSync())
for (const [name, m] of [['orig', m1], ['nopad', m2], ['orig', m1], ['nopad', m2]] as const) {
  for (let i = 0; i < 5; i++) tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync())
  const t0 = performance.now(); const N = 40
  for (let i = 0; i < N; i++) tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync())
  console.log(name, ((performance.now() - t0) / N).toFixed(2), 'ms/img')
}
// profile
const prof = await tf.profile(() => (m1.predict(x) as tf.Tensor))
const byOp: Record<string, number> = {}
for (const k of prof.kernels) byOp[k.name] = (byOp[k.name] ?? 0) + (k.kernelTimeMs as number)
console.log(byOp)
