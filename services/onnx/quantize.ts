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

export const QUANTIZER_VERSION = 1

/** Ops whose activation inputs are quantised (the first input of Conv; both of Add; AveragePool's). */
const QUANTIZED_INPUTS: Record<string, number[]> = { Conv: [0], Add: [0, 1], AveragePool: [0] }

export type CalibrationRanges = Record<string, [number, number]>

/** The activation tensors a model's quantisation needs a range for, in graph order. */
export function quantizedTensors (model: OnnxModel): string[] {
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
  return names
}

/** The model with every tensor to calibrate added as a graph output (float, shape left to onnxruntime). */
export function calibrationModel (model: OnnxModel): { model: OnnxModel, tensors: string[] } {
  const tensors = quantizedTensors(model)
  const outputs: OnnxValueInfo[] = tensors.map(name => ({ name, type: { tensor_type: { elem_type: OnnxDataType.float32 } } }) as unknown as OnnxValueInfo)
  return { model: { ...model, graph: { ...model.graph, output: [...model.graph.output, ...outputs] } }, tensors }
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

/**
 * The QDQ model. `ranges` must hold every tensor `quantizedTensors` lists (calibrationModel's outputs over real
 * photos); a convolution whose weights are not a constant stays fp32.
 */
export function quantizeModel (model: OnnxModel, ranges: CalibrationRanges): OnnxModel {
  const initializers = new Map(model.graph.initializer.map(t => [t.name, t]))
  const tensors = quantizedTensors(model)
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
  // The graph input is quantised before the first node; every other tensor right after the node that makes it.
  for (const input of model.graph.input) if (wanted.has(input.name)) quantize(input.name)

  for (const node of model.graph.node) {
    const rewired = node.input.map((name, i) => (QUANTIZED_INPUTS[node.op_type]?.includes(i) === true ? dequantised.get(name) : undefined) ?? name)
    if (node.op_type === 'Conv' && dequantised.has(node.input[0]) && initializers.has(node.input[1])) {
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
