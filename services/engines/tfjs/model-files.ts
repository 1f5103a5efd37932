import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { readModelFiles, type ModelJson } from '../../models/manifest.js'

/**
 * TF.js IO handlers for a model directory on disk. Pure @tensorflow/tfjs has no file:// handler in Node
 * (tfjs-node does), so both backends load and save models through these.
 */
export function loadFromDirectory (dir: string): tfTypes.io.IOHandler {
  return {
    async load () {
      const files = await readModelFiles(dir)
      return artifactsOf(files.parsed, weightSpecsOf(files.parsed), Buffer.concat(files.weights))
    }
  }
}

/** A TF.js IO handler for a model already in memory (services/engines/tfjs/classifier.ts, ModelSnapshot). */
export function loadFromMemory (modelJson: ModelJson, weightData: Uint8Array): tfTypes.io.IOHandler {
  return {
    async load () {
      return artifactsOf(modelJson, weightSpecsOf(modelJson), weightData)
    }
  }
}

function weightSpecsOf (modelJson: ModelJson): tfTypes.io.WeightsManifestEntry[] {
  return modelJson.weightsManifest.flatMap(group => group.weights as tfTypes.io.WeightsManifestEntry[])
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
export function saveToDirectory (dir: string): tfTypes.io.IOHandler {
  return {
    async save (artifacts) {
      await mkdir(dir, { recursive: true })
      const weightsFile = 'group1-shard1of1.bin'
      const data = artifacts.weightData
      const bytes = data === undefined
        ? new Uint8Array(0)
        : Array.isArray(data)
          ? Buffer.concat(data.map(part => new Uint8Array(part)))
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
