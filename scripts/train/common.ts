import { createHash } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DATA_DIR = process.env.DATA_DIR ?? join(REPO_ROOT, 'data')
export const CACHE_DIR = process.env.CACHE_DIR ?? join(DATA_DIR, 'cache')
/** Which recipe to build (`--recipe NAME` or MODEL_RECIPE): `food` (the default model) or `food-v2`. */
const recipeArg = process.argv.indexOf('--recipe')
export const RECIPE = recipeArg > 0 ? process.argv[recipeArg + 1] : (process.env.MODEL_RECIPE ?? 'food')
export const MODEL_DIR = process.env.MODEL_DIR ?? join(REPO_ROOT, 'model', RECIPE)

/** Deterministic PRNG (mulberry32): the same seed gives the same stream on every machine. */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit seed derived from any strings (stable across runs and platforms). */
export function seedOf (...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0)
}

export function log (...args: unknown[]): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${args.map(a => typeof a === 'string' ? a : JSON.stringify(a)).join(' ')}\n`)
}
