import { digestOf, inputSpecOf, readManifest, readModelFiles, type ModelJson, type ModelManifest } from './manifest.js'
import type { InputSpec } from '../image/pixels.js'

/**
 * A model version as every engine sees it, whatever runs it: its description (manifest, format, digest, labels, and
 * how a probability row becomes an answer) and its snapshot (the files read once, which workers load).
 */

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
