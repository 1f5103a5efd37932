import { ServiceError, ErrorCodes } from '../common/errors.js'
import { describePolicy, policyFor, selectVersions, type ModelSource, type VersionPolicies } from './repository.js'
import { computeModelDigest } from './manifest.js'
import type { ServedModel } from './served-model.js'

export type ModelState = 'READY' | 'LOADING' | 'UNLOADING' | 'UNAVAILABLE'

/** What the repository index shows of a model or of one of its versions. */
export interface IndexEntry {
  name: string
  version?: string
  state: ModelState
  reason: string
}

/** Starts (loads and warms up) one version of a model from its directory. */
export type StartModel = (directory: string, identity: { name: string, version: number }) => Promise<ServedModel>

/** Told of each version once it serves, and once it is released. */
export interface RegistryListener {
  started?: (model: ServedModel) => void
  released?: (model: ServedModel) => void
}

interface Slot {
  model: ServedModel
  /** Requests holding this version: it is released only when none do. */
  refs: number
  retired: boolean
  onIdle?: () => void
}

interface Entry {
  name: string
  /** The versions serving, by version number. Replaced as a whole on a swap, so a lookup sees old or new, never half. */
  slots: Map<number, Slot>
  state: ModelState
  reason: string
  /** Load and unload of one model run one after the other. */
  chain: Promise<unknown>
}

export interface RegistryOptions {
  source: ModelSource
  policies: VersionPolicies
  /** The model that answers POST /predict. */
  defaultModel: string
  start: StartModel
}

/**
 * The models this process serves, by name and version, in the manner of TF Serving's servable manager: a load starts
 * the new versions beside the serving ones and warms them up; once every one is ready, new requests go to them;
 * requests that already hold an old version finish on it, and the old version is released when the last one has.
 * Each request holds a version through `use`, for as long as its handler runs.
 */
export class ModelRegistry {
  private readonly entries = new Map<string, Entry>()
  private readonly listeners: RegistryListener[] = []
  private closing = false

  constructor (private readonly options: RegistryOptions) {}

  get defaultName (): string { return this.options.defaultModel }
  get location (): string { return this.options.source.location }

  /** Where the models come from. */
  get source (): ModelSource { return this.options.source }

  /** The version policy of a model, as configured. */
  policyOf (name: string): string { return describePolicy(policyFor(this.options.policies, name)) }

  /** Listens to versions starting and being released; told at once of those already serving. */
  listen (listener: RegistryListener): void {
    this.listeners.push(listener)
    for (const model of this.list()) listener.started?.(model)
  }

  /** The serving version of the default model (its latest when several serve). */
  get default (): ServedModel {
    return this.get(this.options.defaultModel)
  }

  /** Every serving version of every model, the default model first, then by name, each model's latest version first. */
  list (): ServedModel[] {
    const names = [...this.entries.keys()].sort((a, b) => a === this.defaultName ? -1 : b === this.defaultName ? 1 : a.localeCompare(b))
    return names.flatMap(name => [...(this.entries.get(name)?.slots.values() ?? [])].map(s => s.model).sort((a, b) => b.repositoryVersion - a.repositoryVersion))
  }

  /** The names of the models with at least one version serving. */
  get serving (): string[] {
    return [...this.entries.values()].filter(e => e.slots.size > 0).map(e => e.name)
  }

  /** Whether a model has a version that can answer now: loaded, and some worker of it running. */
  isReady (name: string, version?: string): boolean {
    return this.findSlot(name, version)?.model.available === true
  }

  /** The serving versions of a model, newest first (404 when none serves). */
  versions (name: string): ServedModel[] {
    const entry = this.entries.get(name)
    if (entry === undefined || entry.slots.size === 0) throw this.notFound(name)
    return [...entry.slots.values()].map(s => s.model).sort((a, b) => b.repositoryVersion - a.repositoryVersion)
  }

  /** A serving version: the latest when `version` is not given. Throws the 404 envelope when there is none. */
  get (name: string, version?: string): ServedModel {
    const slot = this.findSlot(name, version)
    if (slot === undefined) throw this.notFound(name, version)
    return slot.model
  }

  /**
   * Runs `fn` holding a serving version of the model: a swap or unload meanwhile does not release that version
   * until `fn` has finished.
   */
  async use<T> (name: string, version: string | undefined, fn: (model: ServedModel) => Promise<T>): Promise<T> {
    const slot = this.findSlot(name, version)
    if (slot === undefined) throw this.notFound(name, version)
    slot.refs++
    try {
      return await fn(slot.model)
    } finally {
      slot.refs--
      if (slot.refs === 0) slot.onIdle?.()
    }
  }

  /**
   * Triton's repository index: every model in the repository, with the state of each version this process knows
   * (READY, LOADING, UNLOADING or UNAVAILABLE with the reason), and models on disk not loaded as UNAVAILABLE.
   */
  async index (options: { ready?: boolean } = {}): Promise<IndexEntry[]> {
    const onDisk = await this.options.source.scan()
    const names = new Set([...onDisk.map(m => m.name), ...this.entries.keys()])
    const rows: IndexEntry[] = []
    for (const name of [...names].sort()) {
      const entry = this.entries.get(name)
      if (entry !== undefined && entry.slots.size > 0) {
        for (const model of this.versions(name)) rows.push({ name, version: String(model.repositoryVersion), state: entry.state, reason: entry.reason })
      } else {
        rows.push({ name, state: entry?.state === 'LOADING' ? 'LOADING' : 'UNAVAILABLE', reason: entry?.reason ?? 'not loaded' })
      }
    }
    return options.ready === true ? rows.filter(r => r.state === 'READY') : rows
  }

  /**
   * Loads a model, or reloads it: reads its versions from the repository, starts and warms up those the version
   * policy serves and that are not serving yet, then swaps them in and releases the versions the policy no longer
   * serves, each once its last request has finished. A version that fails to start leaves the serving ones as
   * they were. Resolves when the new versions serve and the old ones are released.
   */
  load (name: string): Promise<void> {
    return this.serialise(name, async entry => {
      if (this.closing) throw new ServiceError(ErrorCodes.MODEL_LOAD_FAILED, 503, 'The server is shutting down.')
      const found = await this.options.source.find(name)
      if (found === undefined || found.versions.length === 0) {
        throw new ServiceError(ErrorCodes.MODEL_NOT_FOUND, 404, `No model named '${name}' in the repository ${this.location}.`)
      }
      const policy = policyFor(this.options.policies, name)
      const wanted = selectVersions(found.versions.map(v => v.version), policy)
      if (wanted.length === 0) {
        throw new ServiceError(ErrorCodes.MODEL_LOAD_FAILED, 400, `Model '${name}' has versions ${found.versions.map(v => v.version).join(', ')} on disk, none of which its version policy (${describePolicy(policy)}) serves.`)
      }
      // A serving version is a snapshot of its files (services/engines/tfjs/classifier.ts, ModelSnapshot): files changed in place
      // since are picked up here, by an explicit load, as a new start of that version, never by a worker restart.
      const changed = new Set<number>()
      for (const v of found.versions) {
        const slot = entry.slots.get(v.version)
        if (slot === undefined || !wanted.includes(v.version)) continue
        const digest = await computeModelDigest(v.directory).catch(() => undefined)
        if (digest !== slot.model.digest) changed.add(v.version)
      }
      const toStart = found.versions.filter(v => wanted.includes(v.version) && (!entry.slots.has(v.version) || changed.has(v.version)))
      const before = entry.state
      entry.state = 'LOADING'
      const started = await Promise.allSettled(toStart.map(v => this.options.start(v.directory, { name, version: v.version })))
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      const fresh = started.flatMap(r => r.status === 'fulfilled' ? [r.value] : [])
      if (failed !== undefined || this.closing) {
        await Promise.all(fresh.map(m => m.close()))
        const reason = failed === undefined ? 'the server is shutting down' : String((failed.reason as Error)?.message ?? failed.reason)
        entry.state = entry.slots.size > 0 ? before : 'UNAVAILABLE'
        entry.reason = `load failed: ${reason}`
        throw new ServiceError(ErrorCodes.MODEL_LOAD_FAILED, 400, `Model '${name}' failed to load: ${reason}`, { cause: failed?.reason })
      }
      const slots = new Map<number, Slot>()
      const retired: Slot[] = []
      for (const [version, slot] of entry.slots) {
        if (wanted.includes(version) && !changed.has(version)) slots.set(version, slot)
        else retired.push(slot)
      }
      for (const model of fresh) slots.set(model.repositoryVersion, { model, refs: 0, retired: false })
      entry.slots = slots
      entry.state = 'READY'
      entry.reason = ''
      for (const model of fresh) for (const l of this.listeners) l.started?.(model)
      await Promise.all(retired.map(slot => this.release(slot)))
    })
  }

  /** Stops serving a model: new requests get 404; those holding a version finish on it, then it is released. */
  unload (name: string): Promise<void> {
    return this.serialise(name, async entry => {
      if (entry.slots.size === 0 && entry.state !== 'READY') {
        if (await this.options.source.find(name) === undefined) throw this.notFound(name)
        return
      }
      const retired = [...entry.slots.values()]
      entry.slots = new Map()
      entry.state = 'UNAVAILABLE'
      entry.reason = 'unloaded'
      await Promise.all(retired.map(slot => this.release(slot)))
    })
  }

  /** Waits for loads and unloads under way, then answers every accepted request and releases every version. */
  async close (): Promise<void> {
    this.closing = true
    await Promise.all([...this.entries.values()].map(e => e.chain.catch(() => {})))
    const slots = [...this.entries.values()].flatMap(e => { const s = [...e.slots.values()]; e.slots = new Map(); return s })
    await Promise.all(slots.map(slot => this.release(slot)))
  }

  private async release (slot: Slot): Promise<void> {
    slot.retired = true
    if (slot.refs > 0) await new Promise<void>(resolve => { slot.onIdle = resolve })
    await slot.model.close()
    for (const l of this.listeners) l.released?.(slot.model)
  }

  private serialise (name: string, operation: (entry: Entry) => Promise<void>): Promise<void> {
    let entry = this.entries.get(name)
    if (entry === undefined) {
      entry = { name, slots: new Map(), state: 'UNAVAILABLE', reason: 'not loaded', chain: Promise.resolve() }
      this.entries.set(name, entry)
    }
    const target = entry
    const run = target.chain.catch(() => {}).then(() => operation(target))
    target.chain = run
    return run.finally(() => {
      // A model that never loaded leaves no entry, so the index shows only what is on disk.
      if (target.chain === run && target.slots.size === 0 && target.reason === 'not loaded') this.entries.delete(name)
    })
  }

  private findSlot (name: string, version?: string): Slot | undefined {
    const entry = this.entries.get(name)
    if (entry === undefined || entry.slots.size === 0) return undefined
    if (version === undefined) return entry.slots.get(Math.max(...entry.slots.keys()))
    return /^[0-9]+$/.test(version) ? entry.slots.get(Number(version)) : undefined
  }

  private notFound (name: string, version?: string): ServiceError {
    const serving = this.serving.sort()
    const loaded = `loaded: ${serving.length > 0 ? serving.join(', ') : 'none'}`
    if (version !== undefined && this.entries.get(name)?.slots.size) {
      const versions = this.versions(name).map(m => m.repositoryVersion).sort((a, b) => a - b).join(', ')
      return new ServiceError(ErrorCodes.MODEL_NOT_FOUND, 404, `Model '${name}' has no version '${version}' loaded (loaded versions: ${versions}).`)
    }
    return new ServiceError(ErrorCodes.MODEL_NOT_FOUND, 404, `No model named '${name}' is loaded (${loaded}).`)
  }
}
