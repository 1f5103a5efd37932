import type * as Ort from 'onnxruntime-node'
import { ModelDescription, type Classification } from '../classifier.js'
import { BatchBuffer, type Pixels } from '../pixels.js'

export interface OrtSessionSettings {
  /** Threads one session spreads an op over; 1 runs each op on the calling thread. */
  intraOpThreads: number
  /** Whether idle intra-op threads spin waiting for work (faster hand-off, burns CPU that sharp could use). */
  spinning: boolean
}

export interface OnnxModelFile {
  /** The converted model, checked against the TF.js graph (services/onnx/prepare.ts). */
  path: string
  inputName: string
  outputName: string
}

function softmaxRow (row: Float32Array): Float32Array {
  const max = Math.max(...row)
  const exps = row.map(v => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map(v => v / sum)
}

/** A model served by onnxruntime: the same predictBatch contract as ImageClassifier (8-bit HWC pixels in). */
export class OnnxClassifier {
  private readonly batchBuffer = new BatchBuffer()

  private constructor (readonly description: ModelDescription, private readonly ort: typeof Ort, private readonly session: Ort.InferenceSession, private readonly file: OnnxModelFile) {}

  static async load (directory: string, file: OnnxModelFile, settings: OrtSessionSettings): Promise<OnnxClassifier> {
    const description = await ModelDescription.read(directory)
    // Imported here, so that a process or worker serving a TF.js backend never loads the native library.
    const ort = await import('onnxruntime-node')
    const session = await ort.InferenceSession.create(file.path, sessionOptions(settings))
    return new OnnxClassifier(description, ort, session, file)
  }

  get inputShape (): [number, number, number] { return this.description.inputShape }

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

  async dispose (): Promise<void> {
    await this.session.release()
  }
}

export function sessionOptions (settings: OrtSessionSettings): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } }
  }
}
