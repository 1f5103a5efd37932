import { ServiceError, ErrorCodes } from './errors.js'
import type { ServedModel } from './served-model.js'

/** The models this process serves, by name; the first is the default for /predict. */
export class ModelRegistry {
  private readonly byName = new Map<string, ServedModel>()

  constructor (models: ServedModel[]) {
    if (models.length === 0) throw new Error('ModelRegistry needs at least one model')
    for (const model of models) this.byName.set(model.name, model)
  }

  get default (): ServedModel {
    return this.byName.values().next().value as ServedModel
  }

  list (): ServedModel[] {
    return [...this.byName.values()]
  }

  get (name: string): ServedModel {
    const model = this.byName.get(name)
    if (model === undefined) {
      throw new ServiceError(ErrorCodes.MODEL_NOT_FOUND, 404, `No model named '${name}' is loaded (loaded: ${[...this.byName.keys()].join(', ')}).`)
    }
    return model
  }

  /** Answers every accepted request, then releases each model and its workers. */
  async close (): Promise<void> {
    await Promise.all([...this.byName.values()].map(model => model.close()))
  }
}
