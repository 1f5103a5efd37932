import { encodeModel, OnnxDataType, type OnnxAttribute, type OnnxDType, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js'

/**
 * Converts a TF.js graph model (model.json topology + decoded weights) to an ONNX model, for the op set our
 * models use. TF is NHWC; ONNX convolutions are NCHW. Each rank-4 value is kept in whichever layout its producer
 * gives (convolutions and pools give NCHW) and transposed only where a consumer needs the other one, so a chain
 * of convolutions and element-wise ops runs without a transpose between them.
 */

export const CONVERTER_VERSION = 2
export const OPSET = 17

/** Every TF op the converter handles (fused_ops of the fused convolutions and matmul: BiasAdd, Relu, Relu6). */
export const SUPPORTED_OPS = [
  'Placeholder', 'Const', 'Identity', 'IdentityN', 'NoOp',
  'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative',
  'BiasAdd', 'Add', 'AddV2', 'AddN', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum',
  'Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Log', 'Softmax',
  'FusedBatchNorm', 'FusedBatchNormV3',
  'AvgPool', 'MaxPool', 'Pad', 'PadV2',
  'Mean', 'Max', 'Min', 'Sum',
  'MatMul', '_FusedMatMul',
  'Reshape', 'Squeeze', 'ExpandDims', 'Shape', 'StridedSlice', 'Pack', 'ConcatV2', 'Cast'
] as const

export interface TfNode {
  name: string
  op: string
  input?: string[]
  attr?: Record<string, TfAttr>
}

interface TfAttr {
  s?: string | number[]
  i?: string | number
  f?: number
  b?: boolean
  type?: string | number
  list?: { i?: Array<string | number>, s?: Array<string | number[]>, f?: number[] }
  shape?: { dim?: Array<{ size?: string | number }>, unknownRank?: boolean }
  tensor?: { dtype?: string | number, tensorShape?: { dim?: Array<{ size?: string | number }> }, intVal?: number[], floatVal?: number[] }
}

/** A constant's value, in TF (NHWC) order. */
export interface ConstTensor { dtype: 'float32' | 'int32' | 'int64' | 'bool', shape: number[], data: Float32Array | Int32Array | BigInt64Array | Uint8Array }

export interface ConvertInput {
  nodes: TfNode[]
  /** Constants by node name, already dequantised (tf.io.decodeWeights). */
  weights: Map<string, ConstTensor>
  /** The model's output node names (TF.js GraphModel.outputNodes, without ':0'). */
  outputs: string[]
  name?: string
}

export interface ConvertResult {
  bytes: Uint8Array
  inputName: string
  outputNames: string[]
  /** TF op -> count over the nodes converted (those the outputs depend on). */
  opCounts: Record<string, number>
}

export class UnsupportedModelError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UnsupportedModelError'
  }
}

type DType = 'float32' | 'int32' | 'int64' | 'bool'

interface Value {
  /** ONNX tensor name holding it (for a constant: emitted on first use). */
  name: string
  dtype: DType
  /** Shape in TF order, -1 for a dimension known only at run time. */
  shape: number[]
  /** Rank 4, held in ONNX as NCHW. */
  nchw: boolean
  constant?: ConstTensor
  /** For small int vectors computed at run time (shape arithmetic): the entries known now, null where not. */
  partial?: Array<number | null>
}

const TF_DTYPES: Record<string, DType> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_INT64: 'int64', DT_BOOL: 'bool', 1: 'float32', 3: 'int32', 9: 'int64', 10: 'bool' }
const NHWC_TO_NCHW = [0, 3, 1, 2]
const NCHW_TO_NHWC = [0, 2, 3, 1]
/** Position of NHWC axis a in NCHW. */
const NCHW_POSITION = [0, 2, 3, 1]
const INT64_MAX = 9223372036854775807n

function attrString (attr: TfAttr | undefined): string | undefined {
  if (attr?.s === undefined) return undefined
  return Array.isArray(attr.s) ? Buffer.from(attr.s).toString('utf8') : Buffer.from(attr.s, 'base64').toString('utf8')
}
function attrStrings (attr: TfAttr | undefined): string[] {
  return (attr?.list?.s ?? []).map(s => Array.isArray(s) ? Buffer.from(s).toString('utf8') : Buffer.from(s, 'base64').toString('utf8'))
}
const attrInts = (attr: TfAttr | undefined): number[] => (attr?.list?.i ?? []).map(Number)
const attrInt = (attr: TfAttr | undefined, fallback = 0): number => attr?.i === undefined ? fallback : Number(attr.i)
const attrBool = (attr: TfAttr | undefined): boolean => attr?.b === true
function attrType (attr: TfAttr | undefined): DType | undefined {
  return attr?.type === undefined ? undefined : TF_DTYPES[String(attr.type)]
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1)

function permute<T> (items: T[], perm: number[]): T[] {
  return perm.map(p => items[p])
}

function transposeConst (c: ConstTensor, perm: number[]): ConstTensor {
  const shape = permute(c.shape, perm)
  const src = c.data
  const out = new (src.constructor as new (n: number) => typeof src)(src.length)
  const rank = c.shape.length
  const srcStrides = new Array<number>(rank)
  let s = 1
  for (let d = rank - 1; d >= 0; d--) { srcStrides[d] = s; s *= c.shape[d] }
  const idx = new Array<number>(rank).fill(0)
  for (let o = 0; o < out.length; o++) {
    let offset = 0
    for (let d = 0; d < rank; d++) offset += idx[d] * srcStrides[perm[d]]
    out[o] = src[offset]
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break
      idx[d] = 0
    }
  }
  return { dtype: c.dtype, shape, data: out }
}

function toInt64 (values: ArrayLike<number> | ArrayLike<bigint>): BigInt64Array {
  return BigInt64Array.from(Array.from(values as ArrayLike<number>, v => BigInt(v)))
}

class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = []
  readonly initializers: OnnxTensor[] = []
  private readonly used = new Set<string>()

  unique (base: string): string {
    let name = base
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`
    this.used.add(name)
    return name
  }

  reserve (name: string): void { this.used.add(name) }

  initializer (base: string, c: ConstTensor): string {
    const name = this.unique(base)
    const data = c.dtype === 'int64' && !(c.data instanceof BigInt64Array) ? toInt64(c.data as Int32Array) : c.data
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice()
    this.initializers.push({ name, dims: c.shape, data_type: OnnxDataType[c.dtype as OnnxDType], raw_data: bytes })
    return name
  }

  int64 (base: string, values: number[] | bigint[], scalar = false): string {
    return this.initializer(base, { dtype: 'int64', shape: scalar ? [] : [values.length], data: BigInt64Array.from(values.map(v => BigInt(v))) })
  }

  private readonly scalars = new Map<number, string>()

  float (base: string, value: number): string {
    let name = this.scalars.get(value)
    if (name === undefined) {
      name = this.initializer(base, { dtype: 'float32', shape: [], data: new Float32Array([value]) })
      this.scalars.set(value, name)
    }
    return name
  }

  node (op: string, inputs: string[], base: string, attributes: OnnxAttribute[] = [], output?: string): string {
    const out = output ?? this.unique(base)
    this.nodes.push({ name: this.unique(`${base}/${op}`), op_type: op, input: inputs, output: [out], attribute: attributes })
    return out
  }
}

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: 7, ints: values })
const int = (name: string, value: number): OnnxAttribute => ({ name, type: 2, i: value })
const float = (name: string, value: number): OnnxAttribute => ({ name, type: 1, f: value })
const str = (name: string, value: string): OnnxAttribute => ({ name, type: 3, s: new TextEncoder().encode(value) })

/** The nodes the outputs depend on, producers before consumers. */
function orderNodes (nodes: TfNode[], outputs: string[]): TfNode[] {
  const byName = new Map(nodes.map(n => [n.name, n]))
  const order: TfNode[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string): void => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') throw new UnsupportedModelError(`the graph has a cycle through ${name} (control flow is not supported)`)
    const node = byName.get(name)
    if (node === undefined) throw new UnsupportedModelError(`node ${name} is referenced but not in the graph`)
    state.set(name, 'visiting')
    const stack: string[] = []
    for (const input of node.input ?? []) {
      if (input.startsWith('^')) continue
      stack.push(inputNode(input))
    }
    for (const input of stack) visit(input)
    state.set(name, 'done')
    order.push(node)
  }
  for (const output of outputs) visit(output)
  return order
}

function inputNode (ref: string): string {
  const colon = ref.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(ref.slice(colon + 1)) ? ref.slice(0, colon) : ref
}

function inputIndex (ref: string): number {
  const colon = ref.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(ref.slice(colon + 1)) ? Number(ref.slice(colon + 1)) : 0
}

function sameOutputSize (inSize: number, stride: number): number { return Math.ceil(inSize / stride) }

class Converter {
  private readonly g = new OnnxGraphBuilder()
  private readonly values = new Map<string, Value>()
  private readonly layoutCache = new Map<string, string>()
  private readonly graphInputs: OnnxValueInfo[] = []
  private inputName = ''

  constructor (private readonly weights: Map<string, ConstTensor>) {}

  run (input: ConvertInput): ConvertResult {
    const order = orderNodes(input.nodes, input.outputs)
    const unsupported = [...new Set(order.map(n => n.op).filter(op => !(SUPPORTED_OPS as readonly string[]).includes(op)))]
    if (unsupported.length > 0) throw new UnsupportedModelError(`unsupported TF ops: ${unsupported.join(', ')}`)
    for (const name of input.outputs) this.g.reserve(name)
    const opCounts: Record<string, number> = {}
    for (const node of order) {
      opCounts[node.op] = (opCounts[node.op] ?? 0) + 1
      try {
        this.convertNode(node)
      } catch (err) {
        if (err instanceof UnsupportedModelError) throw new UnsupportedModelError(`${node.op} ${node.name}: ${err.message}`)
        throw err
      }
    }
    if (this.inputName === '') throw new UnsupportedModelError('the graph has no Placeholder input')
    const outputs: OnnxValueInfo[] = []
    for (const name of input.outputs) {
      const value = this.get(name)
      let onnxName = this.materialise(value, false)
      // A graph output needs its own name; an input or initializer cannot be one.
      onnxName = this.g.node('Identity', [onnxName], name, [], name)
      outputs.push(valueInfo(onnxName, value))
    }
    const bytes = encodeModel({
      ir_version: 8,
      opset_import: [{ domain: '', version: OPSET }],
      producer_name: 'food-classifier-service tfjs-to-onnx',
      producer_version: String(CONVERTER_VERSION),
      graph: { name: input.name ?? 'model', node: this.g.nodes, initializer: this.g.initializers, input: this.graphInputs, output: outputs }
    })
    return { bytes, inputName: this.inputName, outputNames: input.outputs, opCounts }
  }

  private get (ref: string): Value {
    const name = inputNode(ref)
    const value = this.values.get(inputIndex(ref) === 0 ? name : ref)
    if (value === undefined) {
      if (inputIndex(ref) !== 0) throw new UnsupportedModelError(`output ${inputIndex(ref)} of ${name} is used; only the first output of an op is converted`)
      throw new UnsupportedModelError(`input ${ref} has not been converted`)
    }
    return value
  }

  private inputs (node: TfNode): Value[] {
    return (node.input ?? []).filter(i => !i.startsWith('^')).map(i => this.get(i))
  }

  /** The ONNX name of a value in the requested layout (rank-4 only), emitting a constant or a Transpose once. */
  private materialise (value: Value, nchw: boolean): string {
    const wantNchw = nchw && value.shape.length === 4
    const key = `${value.name}|${wantNchw ? 'nchw' : 'nhwc'}`
    const cached = this.layoutCache.get(key)
    if (cached !== undefined) return cached
    let out: string
    if (value.constant !== undefined) {
      const c = wantNchw ? transposeConst(value.constant, NHWC_TO_NCHW) : value.constant
      out = this.g.initializer(value.name, c)
    } else if (wantNchw === value.nchw || value.shape.length !== 4) {
      out = value.name
    } else {
      out = this.g.node('Transpose', [value.name], `${value.name}/${wantNchw ? 'nchw' : 'nhwc'}`, [ints('perm', wantNchw ? NHWC_TO_NCHW : NCHW_TO_NHWC)])
    }
    this.layoutCache.set(key, out)
    return out
  }

  private constOf (value: Value, what: string): ConstTensor {
    if (value.constant === undefined) throw new UnsupportedModelError(`${what} must be a constant`)
    return value.constant
  }

  private intsOf (value: Value, what: string): number[] {
    return Array.from(this.constOf(value, what).data as ArrayLike<number | bigint>, Number)
  }

  private set (node: TfNode, value: Omit<Value, 'name'> & { name?: string }): void {
    this.values.set(node.name, { ...value, name: value.name ?? node.name })
  }

  private setConst (node: TfNode, c: ConstTensor): void {
    this.values.set(node.name, { name: node.name, dtype: c.dtype as DType, shape: c.shape, nchw: false, constant: c })
  }

  private convertNode (node: TfNode): void {
    const attr = node.attr ?? {}
    switch (node.op) {
      case 'Placeholder': {
        if (this.inputName !== '') throw new UnsupportedModelError('more than one Placeholder: the service feeds one input')
        const dtype = attrType(attr.dtype) ?? 'float32'
        if (attr.shape?.shape?.unknownRank === true || attr.shape?.shape?.dim === undefined) throw new UnsupportedModelError('the input has no known rank')
        const shape = attr.shape.shape.dim.map(d => Number(d.size ?? -1))
        const name = this.g.unique(node.name)
        this.inputName = name
        const value: Value = { name, dtype, shape, nchw: false }
        this.graphInputs.push(valueInfo(name, value))
        this.values.set(node.name, value)
        return
      }
      case 'Const': {
        const c = this.weights.get(node.name) ?? inlineConst(attr.value)
        if (c === undefined) throw new UnsupportedModelError('constant without a value in the weights')
        this.setConst(node, c)
        return
      }
      case 'Identity': case 'IdentityN': case 'NoOp': {
        const [x] = this.inputs(node)
        this.values.set(node.name, x)
        return
      }
      case 'Conv2D': case '_FusedConv2D': case 'DepthwiseConv2dNative': case 'FusedDepthwiseConv2dNative':
        this.convertConv(node)
        return
      case 'BiasAdd': {
        const [x, bias] = this.inputs(node)
        this.elementwise(node, 'Add', [x, bias])
        return
      }
      case 'Add': case 'AddV2': this.elementwise(node, 'Add', this.inputs(node)); return
      case 'Sub': this.elementwise(node, 'Sub', this.inputs(node)); return
      case 'Mul': this.elementwise(node, 'Mul', this.inputs(node)); return
      case 'RealDiv': this.elementwise(node, 'Div', this.inputs(node)); return
      case 'Maximum': this.elementwise(node, 'Max', this.inputs(node)); return
      case 'Minimum': this.elementwise(node, 'Min', this.inputs(node)); return
      case 'AddN': {
        const xs = this.inputs(node)
        if (xs.length === 1) { this.values.set(node.name, xs[0]); return }
        // Two terms (MobileNet's residual adds) as Add: onnxruntime's WebGPU provider has no Sum kernel, and a Sum on
        // the CPU costs a copy from the GPU and back around it.
        this.elementwise(node, xs.length === 2 ? 'Add' : 'Sum', xs)
        return
      }
      case 'Relu': this.unary(node, 'Relu'); return
      case 'Sigmoid': this.unary(node, 'Sigmoid'); return
      case 'Tanh': this.unary(node, 'Tanh'); return
      case 'Log': this.unary(node, 'Log'); return
      case 'Relu6': {
        const [x] = this.inputs(node)
        const out = this.g.node('Clip', [this.materialise(x, x.nchw), this.g.float('zero', 0), this.g.float('six', 6)], node.name)
        this.set(node, { name: out, dtype: x.dtype, shape: x.shape, nchw: x.nchw && x.shape.length === 4 })
        return
      }
      case 'Softmax': {
        const [x] = this.inputs(node)
        const out = this.g.node('Softmax', [this.materialise(x, false)], node.name, [int('axis', -1)])
        this.set(node, { name: out, dtype: x.dtype, shape: x.shape, nchw: false })
        return
      }
      case 'FusedBatchNorm': case 'FusedBatchNormV3': {
        const [x, scale, offset, mean, variance] = this.inputs(node)
        if (attrString(attr.data_format) === 'NCHW') throw new UnsupportedModelError('data_format NCHW')
        if (attrBool(attr.is_training)) throw new UnsupportedModelError('is_training is true')
        if (x.shape.length !== 4) throw new UnsupportedModelError(`input of rank ${x.shape.length}`)
        const params = [scale, offset, mean, variance].map(v => this.materialise(v, false))
        const epsilon = attr.epsilon?.f ?? 0.0001
        const out = this.g.node('BatchNormalization', [this.materialise(x, true), ...params], node.name, [float('epsilon', epsilon)])
        this.set(node, { name: out, dtype: 'float32', shape: x.shape, nchw: true })
        return
      }
      case 'AvgPool': case 'MaxPool': {
        const [x] = this.inputs(node)
        if (attrString(attr.data_format) === 'NCHW') throw new UnsupportedModelError('data_format NCHW')
        const [, kh = 1, kw = 1] = attrInts(attr.ksize)
        const [, sh = 1, sw = 1] = attrInts(attr.strides)
        const { pads, outH, outW } = this.spatialPads(x, attrString(attr.padding) ?? 'VALID', kh, kw, sh, sw, 1, 1)
        const out = this.g.node(node.op === 'AvgPool' ? 'AveragePool' : 'MaxPool', [this.materialise(x, true)], node.name,
          [ints('kernel_shape', [kh, kw]), ints('strides', [sh, sw]), ...pads])
        this.set(node, { name: out, dtype: x.dtype, shape: [x.shape[0], outH, outW, x.shape[3]], nchw: true })
        return
      }
      case 'Pad': case 'PadV2': {
        const [x, paddings, constantValue] = this.inputs(node)
        const p = this.intsOf(paddings, 'paddings')
        const rank = x.shape.length
        let begins = Array.from({ length: rank }, (_, d) => p[2 * d])
        let ends = Array.from({ length: rank }, (_, d) => p[2 * d + 1])
        const nchw = x.nchw && rank === 4
        if (nchw) { begins = permute(begins, NHWC_TO_NCHW); ends = permute(ends, NHWC_TO_NCHW) }
        const inputs = [this.materialise(x, nchw), this.g.int64(`${node.name}/pads`, [...begins, ...ends])]
        if (constantValue !== undefined) inputs.push(this.materialise(constantValue, false))
        const out = this.g.node('Pad', inputs, node.name)
        const shape = x.shape.map((d, i) => d < 0 ? -1 : d + p[2 * i] + p[2 * i + 1])
        this.set(node, { name: out, dtype: x.dtype, shape, nchw })
        return
      }
      case 'Mean': case 'Max': case 'Min': case 'Sum':
        this.convertReduce(node)
        return
      case 'MatMul': case '_FusedMatMul':
        this.convertMatMul(node)
        return
      case 'Reshape': {
        const [x, shapeValue] = this.inputs(node)
        const data = this.materialise(x, false)
        let target: Array<number | null>
        let shapeName: string
        if (shapeValue.constant !== undefined) {
          target = this.intsOf(shapeValue, 'shape')
          if (x.constant !== undefined) {
            this.setConst(node, { ...x.constant, shape: resolveReshape(x.shape, target as number[]) })
            return
          }
          shapeName = this.g.int64(`${node.name}/shape`, target as number[])
        } else {
          target = shapeValue.partial ?? new Array<null>(shapeValue.shape[0] ?? 0).fill(null)
          shapeName = this.g.node('Cast', [this.materialise(shapeValue, false)], `${node.name}/shape`, [int('to', OnnxDataType.int64)])
        }
        const out = this.g.node('Reshape', [data, shapeName], node.name)
        const shape = target.every(d => d !== null) ? resolveReshape(x.shape, target as number[]) : target.map(d => d === null ? -1 : d)
        this.set(node, { name: out, dtype: x.dtype, shape, nchw: false })
        return
      }
      case 'Squeeze': {
        const [x] = this.inputs(node)
        let axes = attrInts(attr.squeeze_dims).map(a => a < 0 ? a + x.shape.length : a)
        if (axes.length === 0) axes = x.shape.flatMap((d, i) => d === 1 ? [i] : [])
        if (axes.length === 0) { this.values.set(node.name, x); return }
        const shape = x.shape.filter((_, i) => !axes.includes(i))
        if (x.constant !== undefined) { this.setConst(node, { ...x.constant, shape }); return }
        const out = this.g.node('Squeeze', [this.materialise(x, false), this.g.int64(`${node.name}/axes`, axes)], node.name)
        this.set(node, { name: out, dtype: x.dtype, shape, nchw: false, partial: x.partial })
        return
      }
      case 'ExpandDims': {
        const [x, dim] = this.inputs(node)
        let axis = this.intsOf(dim, 'axis')[0]
        if (axis < 0) axis += x.shape.length + 1
        const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]
        if (x.constant !== undefined) { this.setConst(node, { ...x.constant, shape }); return }
        const out = this.g.node('Unsqueeze', [this.materialise(x, false), this.g.int64(`${node.name}/axes`, [axis])], node.name)
        this.set(node, { name: out, dtype: x.dtype, shape, nchw: false, partial: x.partial })
        return
      }
      case 'Shape': {
        const [x] = this.inputs(node)
        const dtype: DType = attrType(attr.out_type) ?? 'int32'
        if (x.shape.every(d => d >= 0)) {
          this.setConst(node, { dtype, shape: [x.shape.length], data: dtype === 'int64' ? toInt64(x.shape) : Int32Array.from(x.shape) })
          return
        }
        let out = this.g.node('Shape', [this.materialise(x, x.nchw && x.shape.length === 4)], `${node.name}/shape`)
        if (x.nchw && x.shape.length === 4) out = this.g.node('Gather', [out, this.g.int64(`${node.name}/nhwc`, NCHW_TO_NHWC)], `${node.name}/nhwc`, [int('axis', 0)])
        if (dtype !== 'int64') out = this.g.node('Cast', [out], node.name, [int('to', OnnxDataType[dtype])])
        this.set(node, { name: out, dtype, shape: [x.shape.length], nchw: false, partial: x.shape.map(d => d < 0 ? null : d) })
        return
      }
      case 'StridedSlice':
        this.convertStridedSlice(node)
        return
      case 'Pack': {
        const xs = this.inputs(node)
        let axis = attrInt(attr.axis)
        const rank = xs[0].shape.length
        if (axis < 0) axis += rank + 1
        const shape = [...xs[0].shape.slice(0, axis), xs.length, ...xs[0].shape.slice(axis)]
        if (xs.every(x => x.constant !== undefined) && rank === 0) {
          const data = xs.map(x => Number((x.constant as ConstTensor).data[0]))
          this.setConst(node, { dtype: xs[0].dtype, shape, data: xs[0].dtype === 'float32' ? Float32Array.from(data) : xs[0].dtype === 'int64' ? toInt64(data) : Int32Array.from(data) })
          return
        }
        const parts = xs.map(x => this.g.node('Unsqueeze', [this.materialise(x, false), this.g.int64('axis', [axis])], `${node.name}/part`))
        const out = this.g.node('Concat', parts, node.name, [int('axis', axis)])
        const partial = rank === 0 ? xs.map(x => x.constant !== undefined ? Number(x.constant.data[0]) : (x.partial?.[0] ?? null)) : undefined
        this.set(node, { name: out, dtype: xs[0].dtype, shape, nchw: false, partial })
        return
      }
      case 'ConcatV2': {
        const all = this.inputs(node)
        const xs = all.slice(0, -1)
        let axis = this.intsOf(all[all.length - 1], 'axis')[0]
        const rank = xs[0].shape.length
        if (axis < 0) axis += rank
        const shape = xs[0].shape.slice()
        shape[axis] = xs.some(x => x.shape[axis] < 0) ? -1 : xs.reduce((n, x) => n + x.shape[axis], 0)
        if (rank === 1 && xs.every(x => x.constant !== undefined)) {
          const data = xs.flatMap(x => Array.from((x.constant as ConstTensor).data as ArrayLike<number | bigint>, Number))
          this.setConst(node, { dtype: xs[0].dtype, shape, data: xs[0].dtype === 'float32' ? Float32Array.from(data) : xs[0].dtype === 'int64' ? toInt64(data) : Int32Array.from(data) })
          return
        }
        const nchw = rank === 4 && xs.every(x => x.nchw || x.constant !== undefined) && xs.some(x => x.nchw)
        const out = this.g.node('Concat', xs.map(x => this.materialise(x, nchw)), node.name, [int('axis', nchw ? NCHW_POSITION[axis] : axis)])
        const partial = rank === 1 && xs.every(x => x.constant !== undefined || x.partial !== undefined)
          ? xs.flatMap(x => x.constant !== undefined ? Array.from(x.constant.data as ArrayLike<number | bigint>, Number) : x.partial as Array<number | null>)
          : undefined
        this.set(node, { name: out, dtype: xs[0].dtype, shape, nchw, partial })
        return
      }
      case 'Cast': {
        const [x] = this.inputs(node)
        const to = attrType(attr.DstT)
        if (to === undefined) throw new UnsupportedModelError('unsupported DstT')
        const out = this.g.node('Cast', [this.materialise(x, x.nchw)], node.name, [int('to', OnnxDataType[to])])
        this.set(node, { name: out, dtype: to, shape: x.shape, nchw: x.nchw && x.shape.length === 4, partial: x.partial })
        return
      }
      default:
        throw new UnsupportedModelError('unsupported op')
    }
  }

  private unary (node: TfNode, op: string): void {
    const [x] = this.inputs(node)
    const nchw = x.nchw && x.shape.length === 4
    const out = this.g.node(op, [this.materialise(x, nchw)], node.name)
    this.set(node, { name: out, dtype: x.dtype, shape: x.shape, nchw })
  }

  /**
   * An element-wise op with TF broadcasting. It runs in NCHW when an operand is a rank-4 NCHW value and every
   * other operand can follow: another rank-4 value, a scalar, or a constant vector along the channels.
   */
  private elementwise (node: TfNode, op: string, xs: Value[]): void {
    const rank = Math.max(...xs.map(x => x.shape.length))
    const canFollow = (x: Value): boolean => x.shape.length === 4 || product(x.shape) === 1 || (x.constant !== undefined && x.shape.length === 1)
    const nchw = rank === 4 && xs.some(x => x.nchw && x.shape.length === 4) && xs.every(canFollow)
    const names = xs.map(x => {
      if (!nchw || x.shape.length === 4 || product(x.shape) === 1) return this.materialise(x, nchw)
      const c = x.constant as ConstTensor
      return this.materialise({ ...x, name: `${x.name}/c11`, shape: [c.shape[0], 1, 1], constant: { ...c, shape: [c.shape[0], 1, 1] } }, false)
    })
    const out = this.g.node(op, names, node.name)
    const shape = broadcastShapes(xs.map(x => x.shape))
    this.set(node, { name: out, dtype: xs[0].dtype, shape, nchw })
  }

  private spatialPads (x: Value, padding: string, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, explicit?: number[]): { pads: OnnxAttribute[], outH: number, outW: number } {
    const [, h, w] = x.shape
    const effH = (kh - 1) * dh + 1
    const effW = (kw - 1) * dw + 1
    if (padding === 'VALID') {
      return { pads: [], outH: h < 0 ? -1 : Math.floor((h - effH) / sh) + 1, outW: w < 0 ? -1 : Math.floor((w - effW) / sw) + 1 }
    }
    if (padding === 'EXPLICIT') {
      const p = explicit ?? []
      const [top, bottom, left, right] = [p[2], p[3], p[4], p[5]]
      return {
        pads: [ints('pads', [top, left, bottom, right])],
        outH: h < 0 ? -1 : Math.floor((h + top + bottom - effH) / sh) + 1,
        outW: w < 0 ? -1 : Math.floor((w + left + right - effW) / sw) + 1
      }
    }
    if (padding !== 'SAME') throw new UnsupportedModelError(`padding ${padding}`)
    if (h < 0 || w < 0) return { pads: [str('auto_pad', 'SAME_UPPER')], outH: -1, outW: -1 }
    const outH = sameOutputSize(h, sh)
    const outW = sameOutputSize(w, sw)
    const padH = Math.max((outH - 1) * sh + effH - h, 0)
    const padW = Math.max((outW - 1) * sw + effW - w, 0)
    // TF puts the odd pixel at the end (bottom/right), as ONNX SAME_UPPER does.
    return { pads: [ints('pads', [Math.floor(padH / 2), Math.floor(padW / 2), padH - Math.floor(padH / 2), padW - Math.floor(padW / 2)])], outH, outW }
  }

  private convertConv (node: TfNode): void {
    const attr = node.attr ?? {}
    const [x, filterValue, ...args] = this.inputs(node)
    if (attrString(attr.data_format) === 'NCHW') throw new UnsupportedModelError('data_format NCHW')
    const depthwise = node.op.includes('Depthwise')
    const filter = this.constOf(filterValue, 'filter')
    const [kh, kw, cin, cout] = filter.shape
    const [, sh = 1, sw = 1] = attrInts(attr.strides)
    const dil = attrInts(attr.dilations)
    const [dh, dw] = dil.length === 4 ? [dil[1], dil[2]] : [1, 1]
    const { pads, outH, outW } = this.spatialPads(x, attrString(attr.padding) ?? 'VALID', kh, kw, sh, sw, dh, dw, attrInts(attr.explicit_paddings))
    // TF HWIO -> ONNX OIHW; depthwise HW(C)(M) -> (C*M) 1 H W, group C (output channel c*M+m, as in TF).
    const weight = depthwise
      ? { ...transposeConst(filter, [2, 3, 0, 1]), shape: [cin * cout, 1, kh, kw] }
      : transposeConst(filter, [3, 2, 0, 1])
    const outChannels = depthwise ? cin * cout : cout
    const inputs = [this.materialise(x, true), this.g.initializer(`${node.name}/weight`, weight)]
    const fused = node.op.startsWith('_Fused') || node.op.startsWith('Fused') ? attrStrings(attr.fused_ops) : []
    let activation: string | undefined
    for (const [i, op] of fused.entries()) {
      if (op === 'BiasAdd' && i === 0) {
        const bias = this.constOf(args[0], 'bias')
        inputs.push(this.g.initializer(`${node.name}/bias`, bias))
      } else if ((op === 'Relu' || op === 'Relu6') && i === fused.length - 1) {
        activation = op
      } else {
        throw new UnsupportedModelError(`fused op ${fused.join('+')}`)
      }
    }
    const attributes = [ints('kernel_shape', [kh, kw]), ints('strides', [sh, sw]), ints('dilations', [dh, dw]), int('group', depthwise ? cin : 1), ...pads]
    let out = this.g.node('Conv', inputs, activation === undefined ? node.name : `${node.name}/conv`, attributes)
    if (activation === 'Relu') out = this.g.node('Relu', [out], node.name)
    if (activation === 'Relu6') out = this.g.node('Clip', [out, this.g.float('zero', 0), this.g.float('six', 6)], node.name)
    this.set(node, { name: out, dtype: 'float32', shape: [x.shape[0], outH, outW, outChannels], nchw: true })
  }

  private convertReduce (node: TfNode): void {
    const [x, axesValue] = this.inputs(node)
    const rank = x.shape.length
    const axes = [...new Set(this.intsOf(axesValue, 'axes').map(a => a < 0 ? a + rank : a))].sort()
    const keep = attrBool(node.attr?.keep_dims)
    const kept = x.shape.map((_, i) => i).filter(i => !axes.includes(i))
    // In NCHW the kept axes must stay in TF order: true unless channels and a spatial axis both survive.
    const nchw = x.nchw && rank === 4 && (keep || !(kept.includes(3) && (kept.includes(1) || kept.includes(2))))
    const onnxAxes = nchw ? axes.map(a => NCHW_POSITION[a]) : axes
    const op = { Mean: 'ReduceMean', Max: 'ReduceMax', Min: 'ReduceMin', Sum: 'ReduceSum' }[node.op] as string
    const data = this.materialise(x, nchw)
    const out = op === 'ReduceSum'
      ? this.g.node(op, [data, this.g.int64(`${node.name}/axes`, onnxAxes)], node.name, [int('keepdims', keep ? 1 : 0)])
      : this.g.node(op, [data], node.name, [ints('axes', onnxAxes), int('keepdims', keep ? 1 : 0)])
    const shape = keep ? x.shape.map((d, i) => axes.includes(i) ? 1 : d) : kept.map(i => x.shape[i])
    this.set(node, { name: out, dtype: x.dtype, shape, nchw: nchw && keep })
  }

  private convertMatMul (node: TfNode): void {
    const attr = node.attr ?? {}
    const [a, b, ...args] = this.inputs(node)
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new UnsupportedModelError('operands must be matrices')
    const transA = attrBool(attr.transpose_a)
    const transB = attrBool(attr.transpose_b)
    const inputs = [this.materialise(a, false), this.materialise(b, false)]
    const fused = node.op === '_FusedMatMul' ? attrStrings(attr.fused_ops) : []
    let activation: string | undefined
    for (const [i, op] of fused.entries()) {
      if (op === 'BiasAdd' && i === 0) inputs.push(this.materialise(args[0], false))
      else if ((op === 'Relu' || op === 'Relu6') && i === fused.length - 1) activation = op
      else throw new UnsupportedModelError(`fused op ${fused.join('+')}`)
    }
    let out = this.g.node('Gemm', inputs, activation === undefined ? node.name : `${node.name}/gemm`, [int('transA', transA ? 1 : 0), int('transB', transB ? 1 : 0)])
    if (activation === 'Relu') out = this.g.node('Relu', [out], node.name)
    if (activation === 'Relu6') out = this.g.node('Clip', [out, this.g.float('zero', 0), this.g.float('six', 6)], node.name)
    const rows = transA ? a.shape[1] : a.shape[0]
    const cols = transB ? b.shape[0] : b.shape[1]
    this.set(node, { name: out, dtype: 'float32', shape: [rows, cols], nchw: false })
  }

  private convertStridedSlice (node: TfNode): void {
    const attr = node.attr ?? {}
    const [x, beginValue, endValue, stridesValue] = this.inputs(node)
    if (attrInt(attr.ellipsis_mask) !== 0 || attrInt(attr.new_axis_mask) !== 0) throw new UnsupportedModelError('ellipsis_mask and new_axis_mask are not supported')
    const begin = this.intsOf(beginValue, 'begin')
    const end = this.intsOf(endValue, 'end')
    const strides = stridesValue === undefined ? begin.map(() => 1) : this.intsOf(stridesValue, 'strides')
    const beginMask = attrInt(attr.begin_mask)
    const endMask = attrInt(attr.end_mask)
    const shrinkMask = attrInt(attr.shrink_axis_mask)
    const starts: bigint[] = []
    const ends: bigint[] = []
    const axes: number[] = []
    const steps: number[] = []
    const shrink: number[] = []
    const shape = x.shape.slice()
    for (let d = 0; d < begin.length; d++) {
      const stride = strides[d]
      if (stride === 0) throw new UnsupportedModelError('stride 0')
      const isShrink = (shrinkMask & (1 << d)) !== 0
      const lowest = stride > 0 ? 0n : -INT64_MAX
      const highest = stride > 0 ? INT64_MAX : -INT64_MAX
      const b = (beginMask & (1 << d)) !== 0 && !isShrink ? (stride > 0 ? lowest : INT64_MAX) : BigInt(begin[d])
      let e = (endMask & (1 << d)) !== 0 && !isShrink ? highest : BigInt(end[d])
      if (isShrink) {
        e = begin[d] === -1 ? INT64_MAX : BigInt(begin[d] + 1)
        shrink.push(d)
      }
      starts.push(b); ends.push(e); axes.push(d); steps.push(stride)
      const size = shape[d]
      if (size >= 0) {
        const clamp = (v: bigint, lo: number, hi: number): number => { let n = Number(v > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : v < -BigInt(Number.MAX_SAFE_INTEGER) ? -BigInt(Number.MAX_SAFE_INTEGER) : v); if (n < 0) n += size; return Math.min(Math.max(n, lo), hi) }
        const s = stride > 0 ? clamp(b, 0, size) : clamp(b, -1, size - 1)
        const en = stride > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1)
        shape[d] = Math.max(0, Math.ceil((en - s) / stride))
      }
    }
    const outShape = shape.filter((_, d) => !shrink.includes(d))
    // Shape arithmetic on a 1-D int vector: fold what is known now.
    let partial: Array<number | null> | undefined
    if (x.shape.length === 1 && (x.constant !== undefined || x.partial !== undefined)) {
      const known: Array<number | null> = x.constant !== undefined ? Array.from(x.constant.data as ArrayLike<number | bigint>, Number) : x.partial as Array<number | null>
      const n = known.length
      const s0 = Number(starts[0] < 0n ? starts[0] + BigInt(n) : starts[0])
      const picked: Array<number | null> = []
      const last = ends[0] > BigInt(n) ? n : Number(ends[0] < 0n ? ends[0] + BigInt(n) : ends[0])
      if (steps[0] > 0) for (let i = Math.max(0, s0); i < Math.min(n, last); i += steps[0]) picked.push(known[i])
      if (picked.every(v => v !== null) && steps[0] > 0) {
        const data = picked as number[]
        this.setConst(node, { dtype: x.dtype, shape: outShape, data: x.dtype === 'int64' ? toInt64(data) : x.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data) })
        return
      }
      if (steps[0] > 0) partial = picked
    }
    let out = this.g.node('Slice', [this.materialise(x, false), this.g.int64(`${node.name}/starts`, starts), this.g.int64(`${node.name}/ends`, ends),
      this.g.int64(`${node.name}/axes`, axes), this.g.int64(`${node.name}/steps`, steps)], shrink.length > 0 ? `${node.name}/slice` : node.name)
    if (shrink.length > 0) out = this.g.node('Squeeze', [out, this.g.int64(`${node.name}/shrink`, shrink)], node.name)
    this.set(node, { name: out, dtype: x.dtype, shape: outShape, nchw: false, partial })
  }
}

function resolveReshape (inShape: number[], target: number[]): number[] {
  const known = target.filter(d => d !== -1)
  const missing = target.indexOf(-1)
  if (missing < 0 || inShape.some(d => d < 0)) return target.slice()
  const out = target.slice()
  out[missing] = product(inShape) / product(known)
  return out
}

function broadcastShapes (shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map(s => s.length))
  return Array.from({ length: rank }, (_, i) => {
    let dim = 1
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1
      if (d === -1) dim = dim === 1 ? -1 : dim
      else if (d !== 1) dim = d
    }
    return dim
  })
}

function inlineConst (attr: TfAttr | undefined): ConstTensor | undefined {
  const t = attr?.tensor
  if (t === undefined) return undefined
  const dtype = TF_DTYPES[String(t.dtype)]
  const shape = (t.tensorShape?.dim ?? []).map(d => Number(d.size))
  const n = product(shape)
  if (dtype === 'int32' && t.intVal !== undefined) return { dtype, shape, data: Int32Array.from({ length: n }, (_, i) => t.intVal?.[Math.min(i, (t.intVal?.length ?? 1) - 1)] ?? 0) }
  if (dtype === 'float32' && t.floatVal !== undefined) return { dtype, shape, data: Float32Array.from({ length: n }, (_, i) => t.floatVal?.[Math.min(i, (t.floatVal?.length ?? 1) - 1)] ?? 0) }
  return undefined
}

function valueInfo (name: string, value: Value): OnnxValueInfo {
  const shape = value.nchw && value.shape.length === 4 ? permute(value.shape, NHWC_TO_NCHW) : value.shape
  return {
    name,
    type: { tensor_type: { elem_type: OnnxDataType[value.dtype], shape: { dim: shape.map((d, i) => d < 0 ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d }) } } }
  }
}

/** Converts a graph model; throws UnsupportedModelError naming the op when something cannot be converted. */
export function convertGraph (input: ConvertInput): ConvertResult {
  return new Converter(input.weights).run(input)
}
