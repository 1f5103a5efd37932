import * as tf from '@tensorflow/tfjs'
import { loadFromDirectory } from './model-files.js'
import { computeModelDigest, inputSpecOf, readManifest, readModelJson, type ModelManifest } from './model-manifest.js'
import type { InputSpec } from './image.js'
import { BatchBuffer, type Pixels } from './pixels.js'

export interface LabelProbability {
  label: string
  probability: number
}

export interface Classification {
  label: string
  probability: number
  /** True when the top probability is below the manifest's uncertain threshold. */
  uncertain: boolean
  predictions: LabelProbability[]
}

type TfModel = tf.LayersModel | tf.GraphModel
export type ModelFormat = 'layers-model' | 'graph-model'

/** What the service knows of a model without loading its weights: manifest, format, digest, labels. */
export class ModelDescription {
  readonly inputSpec: InputSpec

  constructor (
    readonly manifest: ModelManifest,
    readonly format: ModelFormat,
    readonly digest: string,
    readonly directory: string
  ) {
    this.inputSpec = inputSpecOf(manifest)
  }

  /** Reads and checks a model directory: the manifest is valid and the weights match its sha256. */
  static async read (directory: string): Promise<ModelDescription> {
    const manifest = await readManifest(directory)
    const digest = await computeModelDigest(directory)
    if (manifest.sha256 !== undefined && manifest.sha256 !== digest) {
      throw new Error(`Model ${directory} does not match its manifest: sha256 is ${digest}, manifest.json says ${manifest.sha256}`)
    }
    const modelJson = await readModelJson(directory)
    return new ModelDescription(manifest, modelJson.format === 'graph-model' ? 'graph-model' : 'layers-model', digest, directory)
  }

  get name (): string { return this.manifest.name }
  get version (): string { return this.manifest.version }
  get labels (): string[] { return this.manifest.labels }
  get inputShape (): [number, number, number] { return [this.inputSpec.height, this.inputSpec.width, 3] }

  /** Turns a probability row into the API's answer: top label, uncertainty and the sorted list (topK of it). */
  describe (probabilities: ArrayLike<number>, topK = this.labels.length): Classification {
    const ranked = this.labels
      .map((label, i) => ({ label, probability: probabilities[i] }))
      .sort((a, b) => b.probability - a.probability)
    const top = ranked[0]
    return {
      label: top.label,
      probability: top.probability,
      uncertain: top.probability < this.manifest.uncertainThreshold,
      predictions: ranked.slice(0, Math.max(1, topK))
    }
  }
}

/** A loaded model: turns batches of normalised inputs into label probabilities on the current TF.js backend. */
export class ImageClassifier {
  private readonly batchBuffer = new BatchBuffer()

  private constructor (readonly description: ModelDescription, private readonly model: TfModel) {}

  static async load (directory: string): Promise<ImageClassifier> {
    const description = await ModelDescription.read(directory)
    const model = description.format === 'graph-model'
      ? await tf.loadGraphModel(loadFromDirectory(directory))
      : await tf.loadLayersModel(loadFromDirectory(directory))
    const classifier = new ImageClassifier(description, model)
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
