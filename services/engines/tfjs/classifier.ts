import * as tf from '@tensorflow/tfjs'
import { loadFromDirectory, loadFromMemory } from './model-files.js'
import { digestOf, inputSpecOf, readManifest, readModelFiles, type ModelJson, type ModelManifest } from '../../models/manifest.js'
import type { InputSpec } from '../../image/pixels.js'
import { BatchBuffer, type Pixels } from '../../image/pixels.js'

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
    return (await ModelSnapshot.read(directory)).description
  }

  /** A description passed to a worker thread (structured-cloned, so without its class) made whole again. */
  static from (data: ModelDescriptionData): ModelDescription {
    return new ModelDescription(data.manifest, data.format, data.digest, data.directory)
  }

  /** What a worker thread needs to describe the model as the main thread does. */
  get data (): ModelDescriptionData {
    return { manifest: this.manifest, format: this.format, digest: this.digest, directory: this.directory }
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

export interface ModelDescriptionData { manifest: ModelManifest, format: ModelFormat, digest: string, directory: string }

/** The files of a model version as read once: what workers started later load, whatever happens on disk meanwhile. */
export interface ModelSnapshotData { description: ModelDescriptionData, modelJson: ModelJson, weightData: Uint8Array }

/**
 * A model version read once, manifest, model.json and weights together, its digest computed from the very bytes
 * kept: a loaded version is this snapshot, so a worker that restarts later runs the same graph with the same input
 * size and normalisation, even if the files on disk were changed or removed in between.
 */
export class ModelSnapshot {
  private constructor (readonly description: ModelDescription, readonly modelJson: ModelJson, readonly weightData: Uint8Array) {}

  static async read (directory: string): Promise<ModelSnapshot> {
    const manifest = await readManifest(directory)
    const files = await readModelFiles(directory)
    const digest = digestOf(files)
    if (manifest.sha256 !== undefined && manifest.sha256 !== digest) {
      throw new Error(`Model ${directory} does not match its manifest: sha256 is ${digest}, manifest.json says ${manifest.sha256}`)
    }
    const description = new ModelDescription(manifest, files.parsed.format === 'graph-model' ? 'graph-model' : 'layers-model', digest, directory)
    return new ModelSnapshot(description, files.parsed, new Uint8Array(Buffer.concat(files.weights)))
  }

  static from (data: ModelSnapshotData): ModelSnapshot {
    return new ModelSnapshot(ModelDescription.from(data.description), data.modelJson, data.weightData)
  }

  get data (): ModelSnapshotData {
    return { description: this.description.data, modelJson: this.modelJson, weightData: this.weightData }
  }
}

/** A loaded model: turns batches of normalised inputs into label probabilities on the current TF.js backend. */
export class ImageClassifier {
  private readonly batchBuffer = new BatchBuffer()

  private constructor (readonly description: ModelDescription, private readonly model: TfModel) {}

  /** From a directory (read now), or from a snapshot read earlier (nothing read from disk). */
  static async load (source: string | ModelSnapshot): Promise<ImageClassifier> {
    const snapshot = typeof source === 'string' ? undefined : source
    const description = snapshot?.description ?? await ModelDescription.read(source as string)
    const io = snapshot === undefined ? loadFromDirectory(source as string) : loadFromMemory(snapshot.modelJson, snapshot.weightData)
    const model = description.format === 'graph-model'
      ? await tf.loadGraphModel(io)
      : await tf.loadLayersModel(io)
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
