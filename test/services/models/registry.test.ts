import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import t from 'tap'
import type { BackendChoice } from '../../../services/engines/backend.js'
import { ModelRegistry } from '../../../services/models/registry.js'
import { ModelRepository, parseVersionPolicies } from '../../../services/models/repository.js'
import { ServedModel } from '../../../services/models/served-model.js'
import { buildTinyModel } from '../../helper.js'

const backend: BackendChoice = { name: 'cpu', package: '@tensorflow/tfjs', tfjsBackend: 'cpu', forced: true, skipped: [] }
const settings = { workers: 0, maxBatchSize: 4, maxBatchDelayMs: 0, maxQueue: 16 }
const pixels = () => new Uint8Array(32 * 32 * 3).fill(90)

t.test('the registry swaps versions per request lease, keeps serving through a failed load, and unloads', async t => {
  await tf.setBackend('cpu')
  const root = await mkdtemp(join(tmpdir(), 'registry-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'tiny'))
  await symlink(await buildTinyModel(t, { labels: ['a1', 'b1', 'c1'] }), join(root, 'tiny/1'))
  await symlink(await buildTinyModel(t, { labels: ['a2', 'b2', 'c2'] }), join(root, 'tiny/2'))
  const baseline = tf.memory().numTensors
  const registry = new ModelRegistry({
    source: new ModelRepository(root),
    policies: parseVersionPolicies('latest'),
    defaultModel: 'tiny',
    start: (directory, identity) => ServedModel.start(directory, backend, settings, {}, undefined, identity)
  })
  const released: number[] = []
  registry.listen({ released: m => released.push(m.repositoryVersion) })

  await registry.load('tiny')
  t.same(registry.list().map(m => m.repositoryVersion), [2], 'the latest version serves')
  t.equal(registry.default.labels[0], 'a2')
  const perVersion = tf.memory().numTensors - baseline

  // A request holds version 2 while version 3 is loaded.
  let finish!: () => void
  const held = new Promise<void>(resolve => { finish = resolve })
  const lease = registry.use('tiny', undefined, async model => {
    await held
    return (await model.classify(pixels())).predictions.map(p => p.label).sort()
  })
  await symlink(await buildTinyModel(t, { labels: ['a3', 'b3', 'c3'] }), join(root, 'tiny/3'))
  let loaded = false
  const loading = registry.load('tiny').then(() => { loaded = true })
  while (registry.default.repositoryVersion !== 3) await new Promise(resolve => setTimeout(resolve, 5))
  t.equal((await registry.default.classify(pixels())).predictions.length, 3, 'new requests go to version 3')
  t.notOk(loaded, 'the load waits for the request that holds version 2')
  t.same(released, [])
  finish()
  t.same(await lease, ['a2', 'b2', 'c2'], 'the held request finished on version 2')
  await loading
  t.same(released, [2], 'then version 2 was released')
  t.equal(tf.memory().numTensors - baseline, perVersion, 'its tensors with it')

  await mkdir(join(root, 'tiny/4'))
  await writeFile(join(root, 'tiny/4/manifest.json'), '{"name": "tiny"}')
  await t.rejects(registry.load('tiny'), { statusCode: 400, code: 'MODEL_LOAD_FAILED', message: /Model 'tiny' failed to load/ })
  t.equal(registry.default.repositoryVersion, 3, 'version 3 still serves')
  t.match(await registry.index(), [{ name: 'tiny', version: '3', state: 'READY', reason: /load failed/ }])
  await rm(join(root, 'tiny/4'), { recursive: true })

  t.throws(() => registry.get('tiny', '2'), { statusCode: 404, message: "Model 'tiny' has no version '2' loaded (loaded versions: 3)." })
  await t.rejects(registry.load('dogs'), { statusCode: 404, code: 'MODEL_NOT_FOUND' })
  await registry.unload('tiny')
  t.throws(() => registry.default, { statusCode: 404, code: 'MODEL_NOT_FOUND', message: "No model named 'tiny' is loaded (loaded: none)." })
  t.same(await registry.index(), [{ name: 'tiny', state: 'UNAVAILABLE', reason: 'unloaded' }])
  t.same(released, [2, 3])
  t.equal(tf.memory().numTensors, baseline, 'nothing held once unloaded')
  await registry.close()
})
