import { OnnxDataType, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js'

/**
 * Static int8 quantisation of a converted model, in the QDQ form onnxruntime's graph optimiser turns into integer
 * kernels (QLinearConv, QLinearAdd...): activations uint8 with a per-tensor scale and zero point taken from
 * calibration ranges on real photos, convolution weights int8 symmetric per output channel, biases int32 at the
 * product of the input and weight scales. A QuantizeLinear/DequantizeLinear pair is put on every tensor a
 * convolution, an addition or an average pool reads, so each of those runs in 8 bits and everything else (the
 * dense head, the softmax, shape arithmetic) stays fp32. A ReLU6 in front of a quantised tensor is absorbed
 * by onnxruntime into the quantisation (its range is inside [0, 6]).
 */

export const QUANTIZER_VERSION = 2
/**
 * Calibrations of earlier quantiser versions whose ranges still fit: v2 added the folding of constant additions into
 * convolution biases (which renames the tensors it changes, so a v1 calibration of such a graph lacks their ranges
 * and is refused), QDQ on every reader of a quantised tensor and bias corrections; for a graph with nothing to fold
 * and no corrections (food 2.0.0) it writes the same int8 graph v1 wrote.
 */
export const COMPATIBLE_QUANTIZER_VERSIONS = [1, 2]

/** Ops whose activation inputs are quantised (the first input of Conv; both of Add; AveragePool's). */
const QUANTIZED_INPUTS: Record<string, number[]> = { Conv: [0], Add: [0, 1], AveragePool: [0] }

export type CalibrationRanges = Record<string, [number, number]>

/** The activation tensors a model's quantisation needs a range for, in graph order (of the folded graph). */
export function quantizedTensors (model: OnnxModel): string[] {
  return quantizedTensorsOf(foldConstantAdditions(model))
}

function quantizedTensorsOf (model: OnnxModel): string[] {
  const initializers = new Set(model.graph.initializer.map(t => t.name))
  const names: string[] = []
  const seen = new Set<string>()
  for (const node of model.graph.node) {
    for (const i of QUANTIZED_INPUTS[node.op_type] ?? []) {
      const name = node.input[i]
      if (name === undefined || initializers.has(name) || seen.has(name)) continue
      // An Add of a constant (a bias the converter left apart) is not worth quantising.
      if (node.op_type === 'Add' && node.input.some(n => initializers.has(n))) continue
      seen.add(name)
      names.push(name)
    }
  }
  // A convolution whose output no quantised op reads runs in float (a class predictor whose logits go to a sigmoid);
  // a tensor only such convolutions read stays float too, so the predictor before it (a detector's depthwise +
  // pointwise class predictor) runs in float from the 8-bit feature map it reads.
  const float = floatConvolutions(model, seen)
  const readers = new Map<string, OnnxNode[]>()
  for (const n of model.graph.node) for (const i of n.input) readers.set(i, [...readers.get(i) ?? [], n])
  return names.filter(name => {
    const r = (readers.get(name) ?? []).filter(n => n.op_type !== 'Shape')
    return !(r.length > 0 && r.every(n => float.has(n)))
  })
}

/** The convolutions whose output (or the output of the Clip after them) is not one of `quantized`. */
function floatConvolutions (model: OnnxModel, quantized: Set<string>): Set<OnnxNode> {
  const readers = new Map<string, OnnxNode[]>()
  for (const n of model.graph.node) for (const i of n.input) readers.set(i, [...readers.get(i) ?? [], n])
  const float = new Set<OnnxNode>()
  for (const node of model.graph.node) {
    if (node.op_type !== 'Conv') continue
    const out = node.output[0]
    const next = readers.get(out) ?? []
    const viaClip = next.length === 1 && next[0].op_type === 'Clip' && quantized.has(next[0].output[0])
    if (!quantized.has(out) && !viaClip) float.add(node)
  }
  return float
}

/** A constant that adds one value per channel to an NCHW tensor of `channels` channels ([C,1,1], [1,C,1,1] or a scalar). */
function perChannel (t: OnnxTensor | undefined, channels: number): Float32Array | undefined {
  if (t === undefined || t.data_type !== OnnxDataType.float32) return undefined
  const dims = t.dims.map(Number)
  const values = floatData(t)
  if (values.length === 1) return new Float32Array(channels).fill(values[0])
  const c = dims.length - 3
  const ok = values.length === channels && c >= 0 && dims[c] === channels && dims.slice(c + 1).every(d => d === 1) && dims.slice(0, c).every(d => d === 1)
  return ok ? values : undefined
}

/**
 * The graph with each constant addition that follows a convolution folded into that convolution's bias:
 * Conv -> Add(constant), and the residual form TF's arithmetic optimiser leaves, Conv -> Add(residual) -> Add(constant)
 * (batch norm's shift added after the skip connection), which becomes Conv(bias + shift) -> Add(residual). Without
 * it the constant addition stays in float between two 8-bit tensors. The folded convolution's output gets a new name
 * (`<name>/biased`) when its value changes but its name would survive, so that a range measured before folding is
 * never used for it. A graph without these patterns is returned as it is.
 */
export function foldConstantAdditions (model: OnnxModel): OnnxModel {
  const initializers = new Map(model.graph.initializer.map(t => [t.name, t]))
  const nodes = model.graph.node.map(n => ({ ...n, input: [...n.input], output: [...n.output] }))
  const producer = new Map<string, OnnxNode>()
  for (const n of nodes) for (const o of n.output) producer.set(o, n)
  const readers = new Map<string, number>()
  for (const n of nodes) for (const i of n.input) readers.set(i, (readers.get(i) ?? 0) + 1)
  for (const o of model.graph.output) readers.set(o.name, (readers.get(o.name) ?? 0) + 1)
  const added: OnnxTensor[] = []
  const removed = new Set<OnnxNode>()
  const convOf = (name: string): OnnxNode | undefined => {
    const p = producer.get(name)
    return p?.op_type === 'Conv' && !removed.has(p) && readers.get(name) === 1 && initializers.has(p.input[1]) ? p : undefined
  }
  const addBias = (conv: OnnxNode, shift: Float32Array): void => {
    const old = conv.input[2] === undefined || conv.input[2] === '' ? undefined : initializers.get(conv.input[2])
    const bias = old === undefined ? new Float32Array(shift.length) : Float32Array.from(floatData(old))
    for (let c = 0; c < bias.length; c++) bias[c] += shift[c]
    let name = `${conv.name}/folded_bias`
    for (let i = 1; initializers.has(name); i++) name = `${conv.name}/folded_bias_${i}`
    const t = tensor(name, [bias.length], 'float32', bias)
    initializers.set(name, t)
    added.push(t)
    conv.input[2] = name
  }
  const channelsOf = (conv: OnnxNode): number => Number((initializers.get(conv.input[1]) as OnnxTensor).dims[0])
  for (const add of nodes) {
    if (add.op_type !== 'Add' || add.input.length !== 2) continue
    const k = add.input.findIndex(n => initializers.has(n))
    if (k < 0 || initializers.has(add.input[1 - k])) continue
    const x = add.input[1 - k]
    const direct = convOf(x)
    if (direct !== undefined) {
      const shift = perChannel(initializers.get(add.input[k]), channelsOf(direct))
      if (shift === undefined) continue
      // Conv -> Add(constant): the convolution makes the addition's output.
      addBias(direct, shift)
      direct.output[0] = add.output[0]
      producer.set(add.output[0], direct)
      removed.add(add)
      continue
    }
    const sum = producer.get(x)
    if (sum === undefined || sum.op_type !== 'Add' || removed.has(sum) || readers.get(x) !== 1 || sum.input.some(n => initializers.has(n))) continue
    const j = sum.input.findIndex(n => convOf(n) !== undefined)
    if (j < 0) continue
    const conv = convOf(sum.input[j]) as OnnxNode
    const shift = perChannel(initializers.get(add.input[k]), channelsOf(conv))
    if (shift === undefined) continue
    // Conv -> Add(residual) -> Add(constant): the constant goes into the convolution's bias, the sum makes the output.
    addBias(conv, shift)
    const biased = `${conv.output[0]}/biased`
    conv.output[0] = biased
    sum.input[j] = biased
    sum.output[0] = add.output[0]
    producer.set(biased, conv)
    producer.set(add.output[0], sum)
    removed.add(add)
  }
  if (removed.size === 0) return model
  const kept = nodes.filter(n => !removed.has(n))
  const read = new Set(kept.flatMap(n => n.input))
  return { ...model, graph: { ...model.graph, node: kept, initializer: [...model.graph.initializer.filter(t => read.has(t.name)), ...added] } }
}

/** The model with every tensor to calibrate added as a graph output (float, shape left to onnxruntime). */
export function calibrationModel (model: OnnxModel): { model: OnnxModel, tensors: string[] } {
  const folded = foldConstantAdditions(model)
  const tensors = quantizedTensorsOf(folded)
  return { model: withOutputs(folded, tensors), tensors }
}

/** The model with these tensors added as graph outputs (float, shape left to onnxruntime). */
export function withOutputs (model: OnnxModel, names: string[]): OnnxModel {
  const outputs: OnnxValueInfo[] = names.map(name => ({ name, type: { tensor_type: { elem_type: OnnxDataType.float32 } } }) as unknown as OnnxValueInfo)
  return { ...model, graph: { ...model.graph, output: [...model.graph.output, ...outputs] } }
}

/**
 * Where a convolution's bias correction is measured: the tensor it makes that the int8 graph holds in 8 bits (its
 * output, or the output of the ReLU6 that follows it; `clip` then gives the bounds, and only values strictly inside
 * them say anything about the bias), with its output channels. Convolutions of the folded graph, by node name.
 */
export interface CorrectionPoint { conv: string, tensor: string, channels: number, clip?: [number, number] }

export function correctionPoints (model: OnnxModel): CorrectionPoint[] {
  const folded = foldConstantAdditions(model)
  const initializers = new Map(folded.graph.initializer.map(t => [t.name, t]))
  const readers = new Map<string, OnnxNode[]>()
  for (const n of folded.graph.node) for (const i of n.input) readers.set(i, [...readers.get(i) ?? [], n])
  const points: CorrectionPoint[] = []
  for (const node of folded.graph.node) {
    const weight = initializers.get(node.input[1])
    if (node.op_type !== 'Conv' || weight === undefined) continue
    const channels = Number(weight.dims[0])
    const next = readers.get(node.output[0]) ?? []
    const clip = next.length === 1 && next[0].op_type === 'Clip' ? next[0] : undefined
    if (clip !== undefined) {
      const bound = (name: string | undefined, fallback: number): number => {
        const t = name === undefined || name === '' ? undefined : initializers.get(name)
        return t === undefined ? fallback : floatData(t)[0]
      }
      points.push({ conv: node.name, tensor: clip.output[0], channels, clip: [bound(clip.input[1], -Infinity), bound(clip.input[2], Infinity)] })
    } else {
      points.push({ conv: node.name, tensor: node.output[0], channels })
    }
  }
  return points
}

/**
 * The int8 model with, for each convolution it runs in 8 bits, a float copy of that convolution (and of the ReLU6
 * after it) beside it, reading the same 8-bit input, with the weights and bias of the float graph: outputs
 * `<tensor>/int8` (the 8-bit value the next node reads) and `<tensor>/float`. Their difference is the error this
 * convolution adds itself (weights, bias and output rounded), without what the layers before it passed on, so every
 * convolution's bias correction can be measured in the same run.
 */
export function localProbeModel (original: OnnxModel, ranges: CalibrationRanges, biasCorrections: BiasCorrections = {}): { model: OnnxModel, points: Array<CorrectionPoint & { int8: string, float: string }> } {
  const int8 = quantizeModel(original, ranges, biasCorrections)
  const folded = foldConstantAdditions(original)
  const floatNodes = new Map(folded.graph.node.map(n => [n.name, n]))
  const floatInitializers = new Map(folded.graph.initializer.map(t => [t.name, t]))
  const int8Nodes = new Map(int8.graph.node.map(n => [n.name, n]))
  const present = new Set(int8.graph.initializer.map(t => t.name))
  const quantized = new Set(int8.graph.node.filter(n => n.op_type === 'QuantizeLinear').map(n => n.input[0]))
  const nodes: OnnxNode[] = []
  const initializer: OnnxTensor[] = []
  const points: Array<CorrectionPoint & { int8: string, float: string }> = []
  const need = (name: string | undefined): void => {
    if (name === undefined || name === '' || present.has(name)) return
    present.add(name)
    initializer.push(floatInitializers.get(name) as OnnxTensor)
  }
  for (const point of correctionPoints(original)) {
    const q = int8Nodes.get(point.conv)
    const f = floatNodes.get(point.conv)
    if (q === undefined || f === undefined || !q.input[1].endsWith('/dq') || !quantized.has(point.tensor)) continue
    need(f.input[1])
    need(f.input[2])
    const conv = `${point.tensor}/float_conv`
    nodes.push({ ...f, name: `${point.conv}/float`, input: [q.input[0], ...f.input.slice(1)], output: [conv] })
    const float = `${point.tensor}/float`
    const clip = point.clip === undefined ? undefined : folded.graph.node.find(n => n.op_type === 'Clip' && n.output[0] === point.tensor)
    if (clip !== undefined) {
      clip.input.slice(1).forEach(need)
      nodes.push({ ...clip, name: `${point.tensor}/float_clip`, input: [conv, ...clip.input.slice(1)], output: [float] })
    } else {
      nodes.push({ name: `${point.tensor}/float_identity`, op_type: 'Identity', input: [conv], output: [float], attribute: [] })
    }
    const probe = `${point.tensor}/int8`
    nodes.push({ name: `${point.tensor}/probe`, op_type: 'DequantizeLinear', input: [`${point.tensor}/q`, `${point.tensor}/q_scale`, `${point.tensor}/q_zero`], output: [probe], attribute: [] })
    points.push({ ...point, int8: probe, float })
  }
  const model = withOutputs({ ...int8, graph: { ...int8.graph, node: [...int8.graph.node, ...nodes], initializer: [...int8.graph.initializer, ...initializer] } }, points.flatMap(p => [p.int8, p.float]))
  return { model, points }
}

/**
 * The range of each calibrated tensor over the calibration photos: 'minmax' keeps the extremes over all of them;
 * 'average' averages each photo's own minimum and maximum (onnxruntime's moving-average MinMax), which spends the
 * 256 levels on what a typical photo spans rather than on the rarest outlier.
 */
export class RangeCollector {
  private readonly sums: Record<string, [number, number, number]> = {}
  private readonly extremes: CalibrationRanges = {}

  constructor (readonly method: 'minmax' | 'average' = 'minmax') {}

  get ranges (): CalibrationRanges {
    if (this.method === 'minmax') return { ...this.extremes }
    return Object.fromEntries(Object.entries(this.sums).map(([name, [lo, hi, n]]) => [name, [lo / n, hi / n]]))
  }

  /** One batch's values of a tensor; `items` photos in it, batch first. */
  add (name: string, values: Float32Array, items = 1): void {
    const per = values.length / items
    for (let i = 0; i < items; i++) this.addOne(name, values.subarray(i * per, (i + 1) * per))
  }

  private addOne (name: string, values: Float32Array): void {
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (v < min) min = v
      if (v > max) max = v
    }
    const previous = this.extremes[name]
    this.extremes[name] = previous === undefined ? [min, max] : [Math.min(previous[0], min), Math.max(previous[1], max)]
    const sum = this.sums[name] ??= [0, 0, 0]
    sum[0] += min
    sum[1] += max
    sum[2] += 1
  }
}

function floatData (tensor: OnnxTensor): Float32Array {
  if (tensor.data_type !== OnnxDataType.float32) throw new Error(`${tensor.name} is not a float tensor`)
  const bytes = Uint8Array.from(tensor.raw_data)
  return new Float32Array(bytes.buffer, 0, bytes.length / 4)
}

const tensor = (name: string, dims: number[], type: keyof typeof OnnxDataType, data: ArrayBufferView): OnnxTensor =>
  ({ name, dims, data_type: OnnxDataType[type], raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) })

/** uint8 scale and zero point covering [min, max] (and 0, which must be exact). */
export function activationParams ([min, max]: [number, number]): { scale: number, zeroPoint: number } {
  const lo = Math.min(0, min)
  const hi = Math.max(0, max)
  const scale = hi - lo > 0 ? (hi - lo) / 255 : 1
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)))
  return { scale, zeroPoint }
}

/** Per convolution (node name in the folded graph), a value per output channel added to its bias before quantising. */
export type BiasCorrections = Record<string, number[]>

/**
 * The QDQ model, of the graph with its constant additions folded into the convolutions (foldConstantAdditions).
 * `ranges` must hold every tensor `quantizedTensors` lists (calibrationModel's outputs over real photos); a
 * convolution whose weights are not a constant stays fp32. `biasCorrections` (the calibration's) are added to the
 * biases first: they cancel the mean shift int8 rounding gives each convolution's output.
 */
export function quantizeModel (original: OnnxModel, ranges: CalibrationRanges, biasCorrections: BiasCorrections = {}): OnnxModel {
  const model = correctBiases(foldConstantAdditions(original), biasCorrections)
  const initializers = new Map(model.graph.initializer.map(t => [t.name, t]))
  const tensors = quantizedTensorsOf(model)
  const missing = tensors.filter(t => ranges[t] === undefined)
  if (missing.length > 0) throw new Error(`no calibration range for ${missing.length} tensors (${missing.slice(0, 3).join(', ')}...)`)

  const added: OnnxTensor[] = []
  const nodes: OnnxNode[] = []
  const scales = new Map<string, number>()
  const dequantised = new Map<string, string>()
  const quantize = (name: string): void => {
    const { scale, zeroPoint } = activationParams(ranges[name])
    scales.set(name, scale)
    added.push(tensor(`${name}/q_scale`, [], 'float32', Float32Array.of(scale)), tensor(`${name}/q_zero`, [], 'uint8', Uint8Array.of(zeroPoint)))
    nodes.push(
      { name: `${name}/quantize`, op_type: 'QuantizeLinear', input: [name, `${name}/q_scale`, `${name}/q_zero`], output: [`${name}/q`], attribute: [] },
      { name: `${name}/dequantize`, op_type: 'DequantizeLinear', input: [`${name}/q`, `${name}/q_scale`, `${name}/q_zero`], output: [`${name}/dq`], attribute: [] }
    )
    dequantised.set(name, `${name}/dq`)
  }
  const wanted = new Set(tensors)
  // Their weights stay float: an int8 weight in front of a float convolution would only add its rounding.
  const floatConvs = floatConvolutions(model, wanted)
  // The graph input is quantised before the first node; every other tensor right after the node that makes it.
  for (const input of model.graph.input) if (wanted.has(input.name)) quantize(input.name)

  for (const node of model.graph.node) {
    // Every reader of a quantised tensor reads its 8-bit value, so that the node making it has no float reader left
    // (a Shape or a ReduceMean beside the convolution's QuantizeLinear would keep that convolution in float).
    // A Shape reads the 8-bit tensor itself: its shape is the same, and no DequantizeLinear runs for it.
    const rewired = node.input.map(name => dequantised.has(name) && node.op_type === 'Shape' ? `${name}/q` : dequantised.get(name) ?? name)
    if (node.op_type === 'Conv' && dequantised.has(node.input[0]) && initializers.has(node.input[1]) && !floatConvs.has(node)) {
      const weight = initializers.get(node.input[1]) as OnnxTensor
      const w = floatData(weight)
      const channels = weight.dims[0]
      const per = w.length / channels
      const wScales = new Float32Array(channels)
      const wq = new Int8Array(w.length)
      for (let c = 0; c < channels; c++) {
        let maxAbs = 0
        for (let k = 0; k < per; k++) maxAbs = Math.max(maxAbs, Math.abs(w[c * per + k]))
        const s = maxAbs > 0 ? maxAbs / 127 : 1
        wScales[c] = s
        for (let k = 0; k < per; k++) wq[c * per + k] = Math.max(-127, Math.min(127, Math.round(w[c * per + k] / s)))
      }
      const wName = node.input[1]
      added.push(tensor(`${wName}/int8`, weight.dims, 'int8', wq), tensor(`${wName}/w_scale`, [channels], 'float32', wScales), tensor(`${wName}/w_zero`, [channels], 'int8', new Int8Array(channels)))
      nodes.push({ name: `${wName}/dequantize`, op_type: 'DequantizeLinear', input: [`${wName}/int8`, `${wName}/w_scale`, `${wName}/w_zero`], output: [`${wName}/dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] })
      rewired[1] = `${wName}/dq`
      const bias = node.input[2] === undefined ? undefined : initializers.get(node.input[2])
      if (bias !== undefined) {
        const b = floatData(bias)
        const xScale = scales.get(node.input[0]) as number
        const bScales = wScales.map(s => s * xScale)
        const bq = Int32Array.from(b, (v, c) => Math.round(v / bScales[c]))
        const bName = node.input[2]
        added.push(tensor(`${bName}/int32`, bias.dims, 'int32', bq), tensor(`${bName}/b_scale`, [channels], 'float32', bScales), tensor(`${bName}/b_zero`, [channels], 'int32', new Int32Array(channels)))
        nodes.push({ name: `${bName}/dequantize`, op_type: 'DequantizeLinear', input: [`${bName}/int32`, `${bName}/b_scale`, `${bName}/b_zero`], output: [`${bName}/dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] })
        rewired[2] = `${bName}/dq`
      }
    }
    nodes.push({ ...node, input: rewired })
    for (const output of node.output) if (wanted.has(output)) quantize(output)
  }
  // Float weights now read only through their int8 copies are dropped.
  const read = new Set(nodes.flatMap(n => n.input))
  const initializer = [...model.graph.initializer.filter(t => read.has(t.name)), ...added]
  return { ...model, graph: { ...model.graph, node: nodes, initializer } }
}

/** The model with the corrections added to its convolutions' biases (a bias made where a convolution has none). */
function correctBiases (model: OnnxModel, corrections: BiasCorrections): OnnxModel {
  const names = Object.keys(corrections)
  if (names.length === 0) return model
  const initializers = new Map(model.graph.initializer.map(t => [t.name, t]))
  const added: OnnxTensor[] = []
  const node = model.graph.node.map(n => {
    const correction = corrections[n.name]
    if (n.op_type !== 'Conv' || correction === undefined) return n
    const channels = Number((initializers.get(n.input[1]) as OnnxTensor).dims[0])
    if (correction.length !== channels) throw new Error(`bias correction of ${n.name}: ${correction.length} values for ${channels} channels`)
    const old = n.input[2] === undefined || n.input[2] === '' ? undefined : initializers.get(n.input[2])
    const bias = old === undefined ? new Float32Array(channels) : Float32Array.from(floatData(old))
    for (let c = 0; c < channels; c++) bias[c] += correction[c]
    const name = `${n.name}/corrected_bias`
    added.push(tensor(name, [channels], 'float32', bias))
    return { ...n, input: [n.input[0], n.input[1], name] }
  })
  const missing = names.filter(name => !model.graph.node.some(n => n.name === name && n.op_type === 'Conv'))
  if (missing.length > 0) throw new Error(`bias corrections for ${missing.length} convolutions this graph does not have (${missing.slice(0, 3).join(', ')})`)
  const read = new Set(node.flatMap(n => n.input))
  return { ...model, graph: { ...model.graph, node, initializer: [...model.graph.initializer.filter(t => read.has(t.name)), ...added] } }
}
