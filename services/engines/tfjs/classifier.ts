import * as tf from '@tensorflow/tfjs'
import { loadFromDirectory, loadFromMemory } from './model-files.js'
import { ModelDescription, ModelSnapshot, type Classification, type ModelFormat } from '../../models/description.js'
import type { ModelManifest } from '../../models/manifest.js'
import { BatchBuffer, type InputSpec, type Pixels } from '../../image/pixels.js'

type TfModel = tf.LayersModel | tf.GraphModel

/** A loaded model: turns batches of normalised inputs into label probabilities on the current TF.js backend. */
export class TfjsClassifier {
  private readonly batchBuffer = new BatchBuffer()

  private constructor (readonly description: ModelDescription, private readonly model: TfModel) {}

  /** From a directory (read now), or from a snapshot read earlier (nothing read from disk). */
  static async load (source: string | ModelSnapshot): Promise<TfjsClassifier> {
    const snapshot = typeof source === 'string' ? undefined : source
    const description = snapshot?.description ?? await ModelDescription.read(source as string)
    const io = snapshot === undefined ? loadFromDirectory(source as string) : loadFromMemory(snapshot.modelJson, snapshot.weightData)
    const model = description.format === 'graph-model'
      ? await tf.loadGraphModel(io)
      : await tf.loadLayersModel(io)
    const classifier = new TfjsClassifier(description, model)
    classifier.checkShapes()
    return classifier
  }

  get manifest (): ModelManifest { return this.description.manifest }
  get inputSpec (): InputSpec { return this.description.inputSpec }
  get name (): string { return this.description.name }
  get version (): string { return this.description.version }
  get labels (): string[] { return this.description.labels }
  get format (): ModelFormat { return this.description.format }
  get digest (): string { return this.description.digest }
  get inputShape (): [number, number, number] { return this.description.inputShape }

  private checkShapes (): void {
    const inputs = this.model.inputs
    const shape = inputs[0]?.shape
    if (shape !== undefined && shape.length === 4) {
      const [, h, w, c] = shape
      if ((h !== null && h !== -1 && h !== this.inputSpec.height) || (w !== null && w !== -1 && w !== this.inputSpec.width) || (c !== null && c !== -1 && c !== 3)) {
        throw new Error(`Model input shape [${shape.join(', ')}] does not match the manifest's ${this.inputSpec.height}x${this.inputSpec.width}x3`)
      }
    }
  }

  /**
   * Runs one batch: each item is H x W x 3 8-bit pixels (HWC), normalised here as the manifest says.
   * Returns one probability row per item.
   */
  async predictBatch (items: Pixels[]): Promise<Float32Array[]> {
    const [h, w] = this.inputShape
    // One normalisation buffer, reused: TF.js copies it into the backend's memory when the tensor is made.
    const batch = this.batchBuffer.normalize(items, this.inputSpec)
    const output = tf.tidy(() => {
      const x = tf.tensor4d(batch, [items.length, h, w, 3])
      let y = this.model.predict(x) as tf.Tensor | tf.Tensor[]
      if (Array.isArray(y)) y = y[0]
      if (this.manifest.outputActivation === 'softmax') y = tf.softmax(y)
      else if (this.manifest.outputActivation === 'sigmoid') y = tf.sigmoid(y)
      return y.reshape([items.length, -1])
    })
    try {
      const values = await output.data() as Float32Array
      const width = values.length / items.length
      if (width !== this.labels.length) {
        throw new Error(`Model output has ${width} values per image, the manifest lists ${this.labels.length} labels`)
      }
      return items.map((_, i) => values.slice(i * width, (i + 1) * width))
    } finally {
      output.dispose()
    }
  }

  describe (probabilities: ArrayLike<number>, topK?: number): Classification {
    return this.description.describe(probabilities, topK)
  }

  async classify (input: Pixels, topK?: number): Promise<Classification & { inferMs: number }> {
    const started = performance.now()
    const [row] = await this.predictBatch([input])
    return { ...this.describe(row, topK), inferMs: performance.now() - started }
  }

  /** Runs the model once so the first request does not pay for kernel compilation and weight upload. */
  async warmUp (): Promise<void> {
    const [h, w] = this.inputShape
    await this.predictBatch([new Uint8Array(h * w * 3)])
  }

  dispose (): void {
    this.model.dispose()
  }
}
