/**
 * Turns a Keras-style TF.js layers model into a TF.js graph model with fused kernels: each
 * Conv2D / DepthwiseConv2D followed by BatchNormalization and a ReLU becomes one _FusedConv2D /
 * FusedDepthwiseConv2dNative op (batch norm folded into the weights and a bias, the activation fused), and each
 * Dense one _FusedMatMul. The wasm backend runs that about twice as fast per FLOP as the unfused layers.
 * Outputs match the layers model to float rounding (checked by the caller on real photos).
 */
import * as tf from '@tensorflow/tfjs'

interface GraphNode {
  name: string
  op: string
  input?: string[]
  attr?: Record<string, unknown>
}

interface WeightEntry { name: string, shape: number[], dtype: 'float32' | 'int32' }

export interface FusedModelArtifacts {
  modelJson: {
    format: 'graph-model'
    generatedBy: string
    convertedBy: string
    modelTopology: { node: GraphNode[], library: object, versions: object }
    weightsManifest: Array<{ paths: string[], weights: WeightEntry[] }>
    signature: object
  }
  weightData: Uint8Array
  /** How many layers went into each fused op, for the report. */
  stats: Record<string, number>
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')
const ints = (values: number[]) => ({ list: { i: values.map(String) } })
const str = (s: string) => ({ s: b64(s) })
const FLOAT = { type: 'DT_FLOAT' }

type AnyLayer = tf.layers.Layer
// Layer configs are loosely typed dictionaries in tfjs-layers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const configOf = (layer: tf.layers.Layer): Record<string, any> => layer.getConfig() as Record<string, any>

function inboundLayers (layer: tf.layers.Layer): tf.layers.Layer[] {
  const nodes = (layer as unknown as { inboundNodes: Array<{ inboundLayers: tf.layers.Layer[] }> }).inboundNodes
  return nodes.length === 0 ? [] : nodes[0].inboundLayers
}

/** Before and after padding TensorFlow's SAME adds along one axis. */
export function samePadding (size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride)
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
  return [Math.floor(total / 2), total - Math.floor(total / 2)]
}

/** True when `pad` (a ZeroPadding2D's [[top, bottom], [left, right]]) equals SAME for `conv`, a VALID conv reading it. */
function samePaddingMatches (pad: tf.layers.Layer, conv: tf.layers.Layer, padding: number[][]): boolean {
  const kind = conv.getClassName()
  if (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D') return false
  const config = configOf(conv)
  if (config.padding !== 'valid' || config.dataFormat !== 'channelsLast') return false
  const shape = (pad.getInputAt(0) as tf.SymbolicTensor).shape
  const [height, width] = [shape[1], shape[2]]
  if (typeof height !== 'number' || typeof width !== 'number') return false
  const kernel = config.kernelSize as number[]
  const strides = config.strides as number[]
  const dilations = config.dilationRate as number[]
  const [top, bottom] = samePadding(height, kernel[0], strides[0], dilations[0])
  const [left, right] = samePadding(width, kernel[1], strides[1], dilations[1])
  return padding[0][0] === top && padding[0][1] === bottom && padding[1][0] === left && padding[1][1] === right
}

export function fuseLayersModel (model: tf.LayersModel, outputName = 'probabilities'): FusedModelArtifacts {
  const layers = model.layers as AnyLayer[]
  const consumers = new Map<string, AnyLayer[]>()
  for (const layer of layers) {
    for (const inbound of inboundLayers(layer)) {
      consumers.set(inbound.name, [...(consumers.get(inbound.name) ?? []), layer])
    }
  }
  const onlyConsumer = (layer: tf.layers.Layer): AnyLayer | undefined => {
    const c = consumers.get(layer.name) ?? []
    return c.length === 1 ? c[0] : undefined
  }

  const nodes: GraphNode[] = []
  const weights: WeightEntry[] = []
  const buffers: Uint8Array[] = []
  const outputOf = new Map<string, string>()
  const consumed = new Set<string>()
  const stats: Record<string, number> = {}
  /** Convs whose preceding ZeroPadding2D was folded: they pad as SAME. */
  const sameFor = new Set<string>()
  const count = (k: string) => { stats[k] = (stats[k] ?? 0) + 1 }

  const constant = (name: string, values: Float32Array | Int32Array, shape: number[]): string => {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32'
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT', tensorShape: { dim: shape.map(size => ({ size: String(size) })) } } }, dtype: { type: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } } })
    weights.push({ name, shape, dtype })
    buffers.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice())
    return name
  }
  const weightValues = (layer: tf.layers.Layer): Float32Array[] => layer.getWeights().map(w => w.dataSync() as Float32Array)

  /** Batch norm as per-channel scale and offset: y = x * scale + offset. */
  const batchNormParams = (bn: AnyLayer): { scale: Float32Array, offset: Float32Array } => {
    const config = configOf(bn)
    const values = weightValues(bn)
    let i = 0
    const gamma = config.scale ? values[i++] : undefined
    const beta = config.center ? values[i++] : undefined
    const mean = values[i++]
    const variance = values[i++]
    const channels = mean.length
    const scale = new Float32Array(channels)
    const offset = new Float32Array(channels)
    for (let c = 0; c < channels; c++) {
      scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + config.epsilon)
      offset[c] = (beta ? beta[c] : 0) - mean[c] * scale[c]
    }
    return { scale, offset }
  }

  const activationOp = (layer: AnyLayer | undefined): string | undefined => {
    if (layer === undefined) return undefined
    const config = configOf(layer)
    if (layer.getClassName() === 'ReLU') {
      if (config.maxValue === 6 && !config.negativeSlope && !config.threshold) return 'Relu6'
      if ((config.maxValue === null || config.maxValue === undefined) && !config.negativeSlope && !config.threshold) return 'Relu'
      return undefined
    }
    if (layer.getClassName() === 'Activation') {
      if (config.activation === 'relu') return 'Relu'
      if (config.activation === 'relu6') return 'Relu6'
    }
    return undefined
  }

  const input = (layer: tf.layers.Layer): string[] => inboundLayers(layer).map(l => {
    const name = outputOf.get(l.name)
    if (name === undefined) throw new Error(`layer ${layer.name}: input ${l.name} has no graph node yet`)
    return name
  })

  for (const layer of layers) {
    if (consumed.has(layer.name)) continue
    const kind = layer.getClassName()
    const config = configOf(layer)
    const name = layer.name
    switch (kind) {
      case 'InputLayer': {
        const shape = (config.batchInputShape as Array<number | null>).map(d => d ?? -1)
        nodes.push({ name, op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: { dim: shape.map(size => ({ size: String(size) })) } } } })
        outputOf.set(name, name)
        break
      }
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = config.padding as number[][]
        // Keras pads explicitly before a stride-2 VALID conv; when that padding is exactly what SAME would add for the
        // conv's input size, the conv pads itself and the copy of the whole activation map is saved (same outputs).
        const conv = onlyConsumer(layer)
        if (conv !== undefined && samePaddingMatches(layer, conv, [[top, bottom], [left, right]])) {
          outputOf.set(name, input(layer)[0])
          sameFor.add(conv.name)
          count('Pad (folded into the conv as SAME)')
          break
        }
        const paddings = constant(`${name}/paddings`, Int32Array.from([0, 0, top, bottom, left, right, 0, 0]), [4, 2])
        nodes.push({ name, op: 'Pad', input: [...input(layer), paddings], attr: { T: FLOAT, Tpaddings: { type: 'DT_INT32' } } })
        outputOf.set(name, name)
        count('Pad')
        break
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (config.dataFormat !== 'channelsLast') throw new Error(`${name}: only channels-last is supported`)
        const depthwise = kind === 'DepthwiseConv2D'
        const values = weightValues(layer)
        const kernelTensor = layer.getWeights()[0]
        const kernel = Float32Array.from(values[0])
        const kernelShape = kernelTensor.shape as number[]
        const outChannels = depthwise ? kernelShape[2] * kernelShape[3] : kernelShape[3]
        const bias = config.useBias ? Float32Array.from(values[1]) : new Float32Array(outChannels)
        const ownActivation = config.activation as string
        let last: AnyLayer = layer
        const fused: string[] = [kind]
        // Fold a following batch norm into the kernel and bias (only valid when the conv itself is linear).
        const next = onlyConsumer(layer)
        if (ownActivation === 'linear' && next?.getClassName() === 'BatchNormalization' && (configOf(next).axis === -1 || configOf(next).axis === 3)) {
          const { scale, offset } = batchNormParams(next)
          for (let i = 0; i < kernel.length; i++) kernel[i] *= scale[i % outChannels]
          for (let c = 0; c < outChannels; c++) bias[c] = bias[c] * scale[c] + offset[c]
          consumed.add(next.name)
          last = next
          fused.push('BatchNormalization')
        }
        let activation: string | undefined
        if (ownActivation === 'relu') activation = 'Relu'
        else if (ownActivation === 'relu6') activation = 'Relu6'
        else if (ownActivation !== 'linear') throw new Error(`${name}: activation ${ownActivation} is not supported`)
        if (activation === undefined) {
          const after = onlyConsumer(last)
          const op = activationOp(after)
          if (after !== undefined && op !== undefined) {
            activation = op
            consumed.add(after.name)
            last = after
            fused.push(after.getClassName())
          }
        }
        const filter = constant(`${name}/kernel`, kernel, kernelShape)
        const biasName = constant(`${name}/bias`, bias, [outChannels])
        const strides = config.strides as number[]
        const dilations = config.dilationRate as number[]
        nodes.push({
          name: last.name,
          op: depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D',
          input: [...input(layer), filter, biasName],
          attr: {
            T: FLOAT,
            data_format: str('NHWC'),
            strides: ints([1, strides[0], strides[1], 1]),
            dilations: ints([1, dilations[0], dilations[1], 1]),
            padding: str(config.padding === 'same' || sameFor.has(layer.name) ? 'SAME' : 'VALID'),
            explicit_paddings: { list: {} },
            num_args: { i: '1' },
            epsilon: { f: 0 },
            fused_ops: { list: { s: ['BiasAdd', ...(activation ? [activation] : [])].map(b64) } }
          }
        })
        outputOf.set(last.name, last.name)
        count(fused.join('+'))
        break
      }
      case 'BatchNormalization': {
        const { scale, offset } = batchNormParams(layer)
        const s = constant(`${name}/scale`, scale, [scale.length])
        const o = constant(`${name}/offset`, offset, [offset.length])
        nodes.push({ name: `${name}/mul`, op: 'Mul', input: [...input(layer), s], attr: { T: FLOAT } })
        nodes.push({ name, op: 'AddV2', input: [`${name}/mul`, o], attr: { T: FLOAT } })
        outputOf.set(name, name)
        count('BatchNormalization (unfused)')
        break
      }
      case 'ReLU':
      case 'Activation': {
        const op = activationOp(layer) ?? (kind === 'Activation' && config.activation === 'softmax' ? 'Softmax' : undefined)
        if (op === undefined) throw new Error(`${name}: ${kind} ${JSON.stringify(config)} is not supported`)
        nodes.push({ name, op, input: input(layer), attr: { T: FLOAT } })
        outputOf.set(name, name)
        count(op)
        break
      }
      case 'Add': {
        const inputs = input(layer)
        let acc = inputs[0]
        for (let i = 1; i < inputs.length; i++) {
          const nodeName = i === inputs.length - 1 ? name : `${name}/${i}`
          nodes.push({ name: nodeName, op: 'AddV2', input: [acc, inputs[i]], attr: { T: FLOAT } })
          acc = nodeName
        }
        outputOf.set(name, name)
        count('Add')
        break
      }
      case 'GlobalAveragePooling2D': {
        const axes = constant(`${name}/axes`, Int32Array.from([1, 2]), [2])
        nodes.push({ name, op: 'Mean', input: [...input(layer), axes], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } })
        outputOf.set(name, name)
        count('Mean')
        break
      }
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        // SAME average pooling divides by the window's in-image count on TF.js and TensorFlow, and ONNX's AveragePool
        // does the same by default (count_include_pad 0), so the conversion keeps the border values.
        if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new Error(`${name}: only channels-last is supported`)
        const op = kind === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool'
        const pool = config.poolSize as number[]
        const strides = (config.strides ?? pool) as number[]
        nodes.push({ name, op, input: input(layer), attr: { T: FLOAT, data_format: str('NHWC'), ksize: ints([1, pool[0], pool[1], 1]), strides: ints([1, strides[0], strides[1], 1]), padding: str(config.padding === 'same' ? 'SAME' : 'VALID') } })
        outputOf.set(name, name)
        count(op)
        break
      }
      case 'Concatenate': {
        const rank = (layer.outputShape as number[]).length
        const axis = config.axis as number
        const axisName = constant(`${name}/axis`, Int32Array.from([axis < 0 ? axis + rank : axis]), [])
        const inputs = input(layer)
        nodes.push({ name, op: 'ConcatV2', input: [...inputs, axisName], attr: { T: FLOAT, N: { i: String(inputs.length) }, Tidx: { type: 'DT_INT32' } } })
        outputOf.set(name, name)
        count('ConcatV2')
        break
      }
      case 'Flatten': {
        const size = (layer.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1)
        const shape = constant(`${name}/shape`, Int32Array.from([-1, size]), [2])
        nodes.push({ name, op: 'Reshape', input: [...input(layer), shape], attr: { T: FLOAT, Tshape: { type: 'DT_INT32' } } })
        outputOf.set(name, name)
        count('Reshape')
        break
      }
      case 'Dropout':
        outputOf.set(name, input(layer)[0])
        break
      case 'Dense': {
        const values = weightValues(layer)
        const kernelShape = layer.getWeights()[0].shape as number[]
        const units = kernelShape[1]
        const kernel = constant(`${name}/kernel`, Float32Array.from(values[0]), kernelShape)
        const bias = constant(`${name}/bias`, config.useBias ? Float32Array.from(values[1]) : new Float32Array(units), [units])
        const activation = config.activation as string
        const fusedActivation = activation === 'relu' ? 'Relu' : activation === 'relu6' ? 'Relu6' : undefined
        const matmul = activation === 'linear' || fusedActivation ? name : `${name}/BiasAdd`
        nodes.push({ name: matmul, op: '_FusedMatMul', input: [...input(layer), kernel, bias], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false }, num_args: { i: '1' }, epsilon: { f: 0 }, fused_ops: { list: { s: ['BiasAdd', ...(fusedActivation ? [fusedActivation] : [])].map(b64) } } } })
        if (activation === 'softmax') nodes.push({ name, op: 'Softmax', input: [matmul], attr: { T: FLOAT } })
        else if (activation === 'sigmoid') nodes.push({ name, op: 'Sigmoid', input: [matmul], attr: { T: FLOAT } })
        else if (activation !== 'linear' && !fusedActivation) throw new Error(`${name}: activation ${activation} is not supported`)
        outputOf.set(name, name)
        count(`Dense${activation !== 'linear' ? `+${activation}` : ''}`)
        break
      }
      default:
        throw new Error(`layer ${name}: ${kind} is not supported by the fuser`)
    }
  }

  if (model.outputs.length !== 1) throw new Error('only single-output models are supported')
  const outputLayer = model.outputLayers[0]
  const finalNode = outputOf.get(outputLayer.name)
  if (finalNode === undefined) throw new Error(`output layer ${outputLayer.name} produced no node`)
  nodes.push({ name: outputName, op: 'Identity', input: [finalNode], attr: { T: FLOAT } })

  const total = buffers.reduce((n, b) => n + b.byteLength, 0)
  const weightData = new Uint8Array(total)
  let offset = 0
  for (const b of buffers) { weightData.set(b, offset); offset += b.byteLength }
  const inputName = model.inputLayers[0].name
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: `@tensorflow/tfjs-layers ${tf.version_layers}`,
      convertedBy: 'food-classifier-service scripts/model/fuse.ts',
      modelTopology: { node: nodes, library: {}, versions: {} },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
      signature: {
        inputs: { [inputName]: { name: `${inputName}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: (model.inputs[0].shape).map(d => ({ size: String(d ?? -1) })) } } },
        outputs: { [outputName]: { name: `${outputName}:0`, dtype: 'DT_FLOAT' } }
      }
    },
    weightData,
    stats
  }
}
