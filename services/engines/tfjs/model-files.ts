import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { readModelJson, type ModelJson } from '../../models/manifest.js'

type IO = typeof tfTypes.io

/**
 * TF.js IO handlers for a model directory on disk. Pure @tensorflow/tfjs has no file:// handler in Node
 * (tfjs-node does), so both backends load and save models through these.
 */
export function loadFromDirectory (dir: string): tfTypes.io.IOHandler {
  return {
    async load () {
      const modelJson = await readModelJson(dir)
      const specs: tfTypes.io.WeightsManifestEntry[] = []
      const buffers: Buffer[] = []
      for (const group of modelJson.weightsManifest) {
        specs.push(...(group.weights as tfTypes.io.WeightsManifestEntry[]))
        for (const path of group.paths) buffers.push(await readFile(join(dir, path)))
      }
      return artifactsOf(modelJson, specs, Buffer.concat(buffers))
    }
  }
}

/** A TF.js IO handler for a model already in memory (services/engines/tfjs/classifier.ts, ModelSnapshot). */
export function loadFromMemory (modelJson: ModelJson, weightData: Uint8Array): tfTypes.io.IOHandler {
  return {
    async load () {
      return artifactsOf(modelJson, modelJson.weightsManifest.flatMap(group => group.weights as tfTypes.io.WeightsManifestEntry[]), weightData)
    }
  }
}

function artifactsOf (modelJson: ModelJson, weightSpecs: tfTypes.io.WeightsManifestEntry[], weightData: Uint8Array): tfTypes.io.ModelArtifacts {
  return {
    modelTopology: modelJson.modelTopology as tfTypes.io.ModelArtifacts['modelTopology'],
    format: modelJson.format,
    generatedBy: modelJson.generatedBy as string | undefined,
    convertedBy: modelJson.convertedBy as string | null | undefined,
    signature: modelJson.signature as object | undefined,
    userDefinedMetadata: modelJson.userDefinedMetadata as Record<string, object> | undefined,
    modelInitializer: modelJson.modelInitializer as object | undefined,
    trainingConfig: modelJson.trainingConfig as tfTypes.io.TrainingConfig | undefined,
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer
  }
}

/** Saves a model (layers `model.save(saveToDirectory(dir))`) as model.json plus one weights file. */
export function saveToDirectory (dir: string, io?: IO): tfTypes.io.IOHandler {
  return {
    async save (artifacts) {
      await mkdir(dir, { recursive: true })
      const weightsFile = 'group1-shard1of1.bin'
      const data = artifacts.weightData
      const bytes = data === undefined
        ? new Uint8Array(0)
        : Array.isArray(data)
          ? new Uint8Array(io ? io.concatenateArrayBuffers(data) : concat(data))
          : new Uint8Array(data)
      await writeFile(join(dir, weightsFile), bytes)
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        signature: artifacts.signature,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }]
      }
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength } }
    }
  }
}

function concat (parts: ArrayBuffer[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0)
  const out = new Uint8Array(total)
  let offset = 0
  for (const p of parts) { out.set(new Uint8Array(p), offset); offset += p.byteLength }
  return out.buffer
}
