import { ServiceError, ErrorCodes } from './errors.js'
import type { ImageClassifier } from './classifier.js'

/** The models this process serves, by name; the first is the default for /predict. */
export class ModelRegistry {
  private readonly byName = new Map<string, ImageClassifier>()

  constructor (models: ImageClassifier[]) {
    if (models.length === 0) throw new Error('ModelRegistry needs at least one model')
    for (const model of models) this.byName.set(model.name, model)
  }

  get default (): ImageClassifier {
    return this.byName.values().next().value as ImageClassifier
  }

  list (): ImageClassifier[] {
    return [...this.byName.values()]
  }

  get (name: string): ImageClassifier {
    const model = this.byName.get(name)
    if (model === undefined) {
      throw new ServiceError(ErrorCodes.MODEL_NOT_FOUND, 404, `No model named '${name}' is loaded (loaded: ${[...this.byName.keys()].join(', ')}).`)
    }
    return model
  }

  dispose (): void {
    for (const model of this.byName.values()) model.dispose()
    this.byName.clear()
  }
}
