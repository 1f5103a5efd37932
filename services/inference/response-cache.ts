import { createHash } from 'node:crypto'
import type { InputSpec } from '../image/pixels.js'

/** What a cached answer keeps: the model's output row and what decoding found, enough to answer again. */
export interface CachedAnswer {
  probabilities: Float32Array
  warnings: string[]
  input: { format: string, width: number, height: number }
}

/** The model version an answer belongs to: a hit needs the same weights and the same preprocessing. */
export interface CacheScope {
  name: string
  repositoryVersion: number
  digest: string
  inputSpec: InputSpec
}

export interface ResponseCacheOptions {
  maxEntries: number
  maxBytes: number
}

interface Entry { answer: CachedAnswer, bytes: number, scope: string }

/** Bytes an entry holds besides its key: the probabilities, the warnings' text, and a fixed allowance for the objects. */
const ENTRY_OVERHEAD = 160

/**
 * Triton's response cache, for encoded images: an answer is kept under the SHA-256 of the image's bytes and the
 * model version's scope (name, repository version, weights digest and preprocessing), so a repeat of the same bytes
 * to the same version is answered without a decode or an inference, and never by another version. Least recently
 * used entries go first once the entry count or the byte budget is reached; a version released (swapped or
 * unloaded) has its entries dropped.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>()
  private held = 0

  constructor (private readonly options: ResponseCacheOptions) {}

  get size (): number { return this.entries.size }
  get bytes (): number { return this.held }

  /** The scope of a model version, part of every key of its answers. */
  static scopeOf (model: CacheScope): string {
    const spec = createHash('sha256').update(JSON.stringify(model.inputSpec)).digest('hex').slice(0, 16)
    return `${model.name}/${model.repositoryVersion}/${model.digest}/${spec}`
  }

  static keyOf (scope: string, image: Uint8Array): string {
    return `${scope}|${createHash('sha256').update(image).digest('hex')}`
  }

  get (key: string): CachedAnswer | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.answer
  }

  set (key: string, scope: string, answer: CachedAnswer): void {
    const bytes = key.length + answer.probabilities.byteLength + answer.warnings.reduce((n, w) => n + w.length, 0) + ENTRY_OVERHEAD
    if (bytes > this.options.maxBytes) return
    this.delete(key)
    this.entries.set(key, { answer, bytes, scope })
    this.held += bytes
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.held <= this.options.maxBytes) break
      this.entries.delete(oldest)
      this.held -= entry.bytes
    }
  }

  /** Drops every answer of one model version (its scope). */
  dropScope (scope: string): number {
    let dropped = 0
    for (const [key, entry] of this.entries) {
      if (entry.scope !== scope) continue
      this.delete(key)
      dropped++
    }
    return dropped
  }

  clear (): void {
    this.entries.clear()
    this.held = 0
  }

  private delete (key: string): void {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.held -= entry.bytes
  }
}
