import { parseList } from '../common/config.js'

export type ReadinessState = 'starting' | 'ready' | 'draining'

/** The models without which the instance is not ready: REQUIRED_MODELS, or the default model when it names none. */
export function requiredModels (setting: string, defaultModel: string): string[] {
  const listed = parseList(setting)
  return listed.length > 0 ? listed : [defaultModel]
}

/**
 * Whether this instance should be sent traffic: not before the model is loaded and warmed up, and not once
 * shutdown has begun. Moves only forwards: starting, ready, draining.
 */
export class Readiness {
  #state: ReadinessState = 'starting'
  #since = new Date()

  get state (): ReadinessState { return this.#state }
  /** When the current state began. */
  get since (): Date { return this.#since }
  get ready (): boolean { return this.#state === 'ready' }
  get draining (): boolean { return this.#state === 'draining' }

  markReady (): void {
    if (this.#state === 'starting') this.#enter('ready')
  }

  /** Shutdown has begun: refuse readiness from now on. Returns false when already draining. */
  drain (): boolean {
    if (this.#state === 'draining') return false
    this.#enter('draining')
    return true
  }

  #enter (state: ReadinessState): void {
    this.#state = state
    this.#since = new Date()
  }
}
