import type * as tfTypes from '@tensorflow/tfjs'
import { loadFromDirectory } from '../../services/model-files.js'
import { readModelJson } from '../../services/model-manifest.js'

export type AnyModel = tfTypes.LayersModel | tfTypes.GraphModel

/** Loads a model directory the way the service does (format from model.json). */
export async function loadModelDir (tf: typeof tfTypes, dir: string): Promise<AnyModel> {
  const json = await readModelJson(dir)
  return json.format === 'graph-model' ? await tf.loadGraphModel(loadFromDirectory(dir)) : await tf.loadLayersModel(loadFromDirectory(dir))
}

export function runModel (model: AnyModel, x: tfTypes.Tensor4D): tfTypes.Tensor2D {
  // LayersModel has an execute() too (by output names), so tell them apart by predict's owner
  return (!('layers' in model)
    ? (model as tfTypes.GraphModel).execute(x)
    : (model as tfTypes.LayersModel).predict(x)) as tfTypes.Tensor2D
}
