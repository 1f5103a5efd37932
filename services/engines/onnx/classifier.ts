import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as Ort from 'onnxruntime-node'
import { ModelDescription, type Classification } from '../../models/description.js'
import { BatchBuffer, type Pixels } from '../../image/pixels.js'

export interface OrtSessionSettings {
  /** Threads one session spreads an op over; 1 runs each op on the calling thread. */
  intraOpThreads: number
  /** Whether idle intra-op threads spin waiting for work (faster hand-off, burns CPU that sharp could use). */
  spinning: boolean
  /**
   * Where the graph runs: 'cpu', or 'webgpu' (Dawn on Vulkan, fp32; nodes it has no kernel for, such as shape
   * arithmetic and Sum, stay on the CPU). Default 'cpu'.
   */
  executionProvider?: 'cpu' | 'webgpu'
}

export interface OnnxModelFile {
  /** The converted model, checked against the TF.js graph (services/engines/onnx/prepare.ts). */
  path: string
  /** The graph's bytes: when present, the session is made from them and `path` is not read (it names the cache entry). */
  bytes?: Uint8Array
  inputName: string
  outputName: string
  /** int8 when it is the quantised form of the conversion (services/engines/onnx/quantize.ts); fp32 when absent. */
  precision?: 'fp32' | 'int8'
}

function softmaxRow (row: Float32Array): Float32Array {
  const max = Math.max(...row)
  const exps = row.map(v => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map(v => v / sum)
}

/** A model served by onnxruntime: the same predictBatch contract as TfjsClassifier (8-bit HWC pixels in). */
export class OnnxClassifier {
  private readonly batchBuffer = new BatchBuffer()

  private constructor (readonly description: ModelDescription, private readonly ort: typeof Ort, private readonly session: Ort.InferenceSession, private readonly file: OnnxModelFile, private readonly settings: OrtSessionSettings) {}

  /**
   * `source`: the model directory (its manifest read now), or the description of a version already read.
   * `profilePrefix`: onnxruntime writes a profile of every run there (for nodePlacement).
   */
  static async load (source: string | ModelDescription, file: OnnxModelFile, settings: OrtSessionSettings, profilePrefix?: string): Promise<OnnxClassifier> {
    const description = typeof source === 'string' ? await ModelDescription.read(source) : source
    // Imported here, so that a process or worker serving a TF.js backend never loads the native library.
    const ort = await import('onnxruntime-node')
    const options = sessionOptions(settings)
    const withProfile = profilePrefix === undefined ? options : { ...options, enableProfiling: true, profileFilePrefix: profilePrefix }
    const session = file.bytes === undefined ? await ort.InferenceSession.create(file.path, withProfile) : await ort.InferenceSession.create(file.bytes, withProfile)
    return new OnnxClassifier(description, ort, session, file, settings)
  }

  get inputShape (): [number, number, number] { return this.description.inputShape }
  get executionProvider (): 'cpu' | 'webgpu' { return this.settings.executionProvider ?? 'cpu' }

  /**
   * Runs one batch. The binding's run is synchronous on the calling thread (onnxruntime-node wraps it in
   * setImmediate), so the service calls this on an inference worker, never on the HTTP thread.
   */
  async predictBatch (items: Pixels[]): Promise<Float32Array[]> {
    const [h, w] = this.inputShape
    const batch = this.batchBuffer.normalize(items, this.description.inputSpec)
    const input = new this.ort.Tensor('float32', batch, [items.length, h, w, 3])
    const outputs = await this.session.run({ [this.file.inputName]: input }, [this.file.outputName])
    const output = outputs[this.file.outputName]
    try {
      const values = output.data as Float32Array
      const width = values.length / items.length
      if (width !== this.description.labels.length) {
        throw new Error(`Model output has ${width} values per image, the manifest lists ${this.description.labels.length} labels`)
      }
      const activation = this.description.manifest.outputActivation
      return items.map((_, i) => {
        const row = values.slice(i * width, (i + 1) * width)
        if (activation === 'softmax') return softmaxRow(row)
        if (activation === 'sigmoid') return row.map(v => 1 / (1 + Math.exp(-v)))
        return row
      })
    } finally {
      output.dispose()
    }
  }

  describe (probabilities: ArrayLike<number>, topK?: number): Classification {
    return this.description.describe(probabilities, topK)
  }

  async warmUp (): Promise<void> {
    const [h, w] = this.inputShape
    await this.predictBatch([new Uint8Array(h * w * 3)])
  }

  /** Ends the profile started by load(profilePrefix) and writes it out. */
  endProfiling (): void {
    this.session.endProfiling()
  }

  async dispose (): Promise<void> {
    await this.session.release()
  }
}

/** Node runs of one batch, by the execution provider that ran them and the ONNX op: { WebGpuExecutionProvider: { Conv: 52, ... } }. */
export type NodePlacement = Record<string, Record<string, number>>

export const PROVIDER_NAMES = { cpu: 'CPUExecutionProvider', webgpu: 'WebGpuExecutionProvider' } as const

/**
 * Runs one batch with onnxruntime's profiler on and counts which execution provider ran each node: onnxruntime
 * quietly puts a node the provider has no kernel for on the CPU, so this is how to know where a graph really ran.
 */
export async function nodePlacement (directory: string, file: OnnxModelFile, settings: OrtSessionSettings, inputs: Pixels[]): Promise<{ outputs: Float32Array[], placement: NodePlacement }> {
  const dir = await mkdtemp(join(tmpdir(), 'ort-profile-'))
  try {
    const classifier = await OnnxClassifier.load(directory, file, settings, join(dir, 'run'))
    let outputs: Float32Array[]
    try {
      outputs = await classifier.predictBatch(inputs)
      classifier.endProfiling()
    } finally {
      await classifier.dispose()
    }
    const placement: NodePlacement = {}
    for (const name of (await readdir(dir)).filter(f => f.endsWith('.json'))) {
      const events = JSON.parse(await readFile(join(dir, name), 'utf8')) as Array<{ cat?: string, name?: string, args?: { provider?: string, op_name?: string } }>
      for (const event of events) {
        if (event.cat !== 'Node' || !event.name?.endsWith('_kernel_time') || event.args?.provider === undefined) continue
        const ops = placement[event.args.provider] ??= {}
        const op = event.args.op_name ?? 'unknown'
        ops[op] = (ops[op] ?? 0) + 1
      }
    }
    return { outputs, placement }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** How many node runs each provider made. */
export function placementTotals (placement: NodePlacement): Record<string, number> {
  return Object.fromEntries(Object.entries(placement).map(([provider, ops]) => [provider, Object.values(ops).reduce((a, b) => a + b, 0)]))
}

export function sessionOptions (settings: OrtSessionSettings): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [settings.executionProvider ?? 'cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } }
  }
}
