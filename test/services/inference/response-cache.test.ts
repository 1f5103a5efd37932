import t from 'tap'
import type { InputSpec } from '../../../services/image/pixels.js'
import { ResponseCache, type CachedAnswer } from '../../../services/inference/response-cache.js'

const spec: InputSpec = { width: 224, height: 224, channels: 3, resizeMode: 'cover', normalization: { mean: [0, 0, 0], std: [1, 1, 1] } }
const model = { name: 'food', repositoryVersion: 1, digest: 'a'.repeat(64), inputSpec: spec }
const answer = (p: number): CachedAnswer => ({ probabilities: Float32Array.of(p, 1 - p), warnings: [], input: { format: 'jpeg', width: 10, height: 10 } })
const image = (n: number) => Buffer.from(`image ${n}`)

t.test('a key is the image bytes and the model version: weights, version number and preprocessing each change it', async t => {
  const scope = ResponseCache.scopeOf(model)
  t.equal(ResponseCache.keyOf(scope, image(1)), ResponseCache.keyOf(scope, Buffer.from('image 1')), 'the same bytes, the same key')
  t.not(ResponseCache.keyOf(scope, image(1)), ResponseCache.keyOf(scope, image(2)))
  const scopes = new Set([
    scope,
    ResponseCache.scopeOf({ ...model, repositoryVersion: 2 }),
    ResponseCache.scopeOf({ ...model, digest: 'b'.repeat(64) }),
    ResponseCache.scopeOf({ ...model, inputSpec: { ...spec, resizeMode: 'fill' } }),
    ResponseCache.scopeOf({ ...model, name: 'dogs' })
  ])
  t.equal(scopes.size, 5)
})

t.test('bounded in entries: the least recently used goes first', async t => {
  const cache = new ResponseCache({ maxEntries: 2, maxBytes: 1 << 20 })
  const scope = ResponseCache.scopeOf(model)
  const key = (n: number) => ResponseCache.keyOf(scope, image(n))
  cache.set(key(1), scope, answer(0.1))
  cache.set(key(2), scope, answer(0.2))
  t.ok(cache.get(key(1)), 'read: now the most recent')
  cache.set(key(3), scope, answer(0.3))
  t.equal(cache.size, 2)
  t.equal(cache.get(key(2)), undefined, 'the least recently used was dropped')
  t.equal(cache.get(key(1))?.probabilities[0], Math.fround(0.1))
  t.equal(cache.get(key(3))?.probabilities[0], Math.fround(0.3))
})

t.test('bounded in bytes, and a version\'s entries dropped together', async t => {
  const scope = ResponseCache.scopeOf(model)
  const other = ResponseCache.scopeOf({ ...model, repositoryVersion: 2 })
  const probe = new ResponseCache({ maxEntries: 100, maxBytes: 1 << 20 })
  probe.set(ResponseCache.keyOf(scope, image(0)), scope, answer(0.5))
  const entryBytes = probe.bytes
  t.ok(entryBytes > 100)
  const cache = new ResponseCache({ maxEntries: 100, maxBytes: entryBytes * 3 + 1 })
  for (let n = 0; n < 5; n++) cache.set(ResponseCache.keyOf(n % 2 === 0 ? scope : other, image(n)), n % 2 === 0 ? scope : other, answer(n / 10))
  t.equal(cache.size, 3, 'three entries fit the byte budget')
  t.ok(cache.bytes <= entryBytes * 3 + 1)
  t.equal(cache.dropScope(scope), 2, 'images 2 and 4 of the first version')
  t.equal(cache.size, 1)
  t.ok(cache.get(ResponseCache.keyOf(other, image(3))), 'the other version keeps its entry')
  t.equal(cache.bytes, entryBytes)
})
