import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Type, { type Static } from 'typebox'
import Value from 'typebox/value'
import type { InputSpec } from '../image/pixels.js'

/**
 * A model is a directory: manifest.json (this schema), model.json (a TF.js layers or graph model) and its
 * weight shards. The manifest says everything needed to feed the model and read its output.
 */
export const ManifestSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'Model name, used in URLs.' }),
  version: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  labels: Type.Array(Type.String({ minLength: 1 }), { minItems: 2 }),
  input: Type.Object({
    width: Type.Integer({ minimum: 1, maximum: 4096 }),
    height: Type.Integer({ minimum: 1, maximum: 4096 }),
    channels: Type.Literal(3),
    resizeMode: Type.Union([Type.Literal('cover'), Type.Literal('contain'), Type.Literal('fill')]),
    normalization: Type.Object({
      mean: Type.Tuple([Type.Number(), Type.Number(), Type.Number()]),
      std: Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 }), Type.Number({ exclusiveMinimum: 0 })])
    })
  }),
  /** What the model's output already is: probabilities ('none'), or logits to pass through softmax/sigmoid. */
  outputActivation: Type.Union([Type.Literal('none'), Type.Literal('softmax'), Type.Literal('sigmoid')], { default: 'none' }),
  /** Below this top probability the prediction is flagged uncertain. */
  uncertainThreshold: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  /** sha256 of model.json followed by each weight file in the order model.json lists them. */
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  metrics: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  training: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})

export type ModelManifest = Static<typeof ManifestSchema>

export function parseManifest (raw: unknown, where = 'manifest.json'): ModelManifest {
  const withDefaults = Value.Default(ManifestSchema, Value.Clone(raw))
  if (!Value.Check(ManifestSchema, withDefaults)) {
    const problems = [...Value.Errors(ManifestSchema, withDefaults)].slice(0, 5).map(e => `${e.instancePath || '/'} ${e.message}`)
    throw new Error(`Invalid model manifest ${where}: ${problems.join('; ')}`)
  }
  return withDefaults
}

export function inputSpecOf (manifest: ModelManifest): InputSpec {
  return manifest.input as InputSpec
}

export interface ModelJson {
  format?: string
  modelTopology: unknown
  weightsManifest: Array<{ paths: string[], weights: unknown[] }>
  [key: string]: unknown
}

/** model.json parsed; an error names the file. */
export function parseModelJson (text: string, file: string): ModelJson {
  let parsed: ModelJson
  try {
    parsed = JSON.parse(text) as ModelJson
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || !Array.isArray(parsed.weightsManifest)) throw new Error(`Cannot read ${file}: not a TF.js model.json (no weightsManifest)`)
  return parsed
}

export async function readModelJson (dir: string): Promise<ModelJson> {
  const file = join(dir, 'model.json')
  return parseModelJson(await readFile(file, 'utf8'), file)
}

/** A model directory's files as read at one moment: model.json, and each weight file in the order it lists them. */
export interface ModelFileBytes { modelJson: Buffer, weights: Buffer[] }

export async function readModelFiles (dir: string): Promise<ModelFileBytes & { parsed: ModelJson }> {
  const modelJson = await readFile(join(dir, 'model.json'))
  const parsed = parseModelJson(modelJson.toString('utf8'), join(dir, 'model.json'))
  const weights: Buffer[] = []
  for (const group of parsed.weightsManifest) {
    for (const path of group.paths) weights.push(await readFile(join(dir, path)))
  }
  return { modelJson, weights, parsed }
}

export function digestOf (files: ModelFileBytes): string {
  const hash = createHash('sha256')
  hash.update(files.modelJson)
  for (const w of files.weights) hash.update(w)
  return hash.digest('hex')
}

export async function computeModelDigest (dir: string): Promise<string> {
  return digestOf(await readModelFiles(dir))
}

export async function readManifest (dir: string): Promise<ModelManifest> {
  const file = join(dir, 'manifest.json')
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new Error(`Cannot read model manifest ${file}: ${(err as Error).message}`)
  }
  return parseManifest(raw, file)
}
