import t from 'tap'
import type { BackendChoice, BackendName } from '../../../services/engines/backend.js'
import { resolveInferenceSettings } from '../../../services/models/served-model.js'

const backend = (name: BackendName, tfjsBackend: string): BackendChoice => ({ name, package: `pkg-${name}`, tfjsBackend, forced: false, skipped: [] })
const auto = { INFERENCE_WORKERS: 'auto' as const, MAX_BATCH_SIZE: 'auto' as const, MAX_BATCH_DELAY_MS: 2, MAX_QUEUE: 64 }

t.test('auto settings follow what was measured per backend', async t => {
  t.same(resolveInferenceSettings(auto, backend('wasm', 'wasm'), 2), { workers: 2, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 64 }, 'wasm: a worker per core, batches of up to 4')
  t.same(resolveInferenceSettings(auto, backend('cpu', 'cpu'), 8), { workers: 8, maxBatchSize: 1, maxBatchDelayMs: 2, maxQueue: 64 }, 'cpu: a worker per core, batches of one')
  for (const name of ['tensorflow', 'tensorflow-gpu'] as const) {
    t.same(resolveInferenceSettings(auto, backend(name, 'tensorflow'), 16), { workers: 0, maxBatchSize: 16, maxBatchDelayMs: 2, maxQueue: 64 }, `${name}: in process, batches of up to 16`)
  }
})

t.test('explicit settings win over auto', async t => {
  t.same(resolveInferenceSettings({ INFERENCE_WORKERS: 0, MAX_BATCH_SIZE: 1, MAX_BATCH_DELAY_MS: 0, MAX_QUEUE: 5 }, backend('wasm', 'wasm'), 2),
    { workers: 0, maxBatchSize: 1, maxBatchDelayMs: 0, maxQueue: 5 })
  t.same(resolveInferenceSettings({ ...auto, INFERENCE_WORKERS: 3, MAX_BATCH_SIZE: 32 }, backend('tensorflow', 'tensorflow'), 2).maxBatchSize, 32)
})

t.test('onnxruntime: a single-threaded session per worker, a worker per core, batches of up to 4, no spinning', async t => {
  const ort = backend('onnxruntime', 'wasm')
  t.same(resolveInferenceSettings(auto, ort, 2), { workers: 2, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 64, ort: { intraOpThreads: 1, spinning: false } })
  t.same(resolveInferenceSettings({ ...auto, ORT_INTRA_OP_THREADS: 2, ORT_SPINNING: true }, ort, 4), { workers: 2, maxBatchSize: 4, maxBatchDelayMs: 2, maxQueue: 64, ort: { intraOpThreads: 2, spinning: true } },
    'two threads per session: a worker per two cores')
  t.same(resolveInferenceSettings({ ...auto, ORT_INTRA_OP_THREADS: 4 }, ort, 2).workers, 1, 'at least one worker')
  t.same(resolveInferenceSettings({ ...auto, INFERENCE_WORKERS: 0, MAX_BATCH_SIZE: 1 }, ort, 2), { workers: 0, maxBatchSize: 1, maxBatchDelayMs: 2, maxQueue: 64, ort: { intraOpThreads: 1, spinning: false } })
})

t.test('webgpu: one session on one worker, batches of up to 32 (defaults until measured on a GPU), overridable', async t => {
  const gpu = backend('webgpu', 'wasm')
  for (const cores of [2, 64]) {
    t.same(resolveInferenceSettings(auto, gpu, cores), { workers: 1, maxBatchSize: 32, maxBatchDelayMs: 2, maxQueue: 64, ort: { intraOpThreads: 1, spinning: false, executionProvider: 'webgpu' } },
      `${cores} cores: still one worker, the GPU is the engine`)
  }
  t.same(resolveInferenceSettings({ ...auto, INFERENCE_WORKERS: 2, MAX_BATCH_SIZE: 8, ORT_INTRA_OP_THREADS: 2 }, gpu, 2),
    { workers: 2, maxBatchSize: 8, maxBatchDelayMs: 2, maxQueue: 64, ort: { intraOpThreads: 2, spinning: false, executionProvider: 'webgpu' } })
  t.notOk(resolveInferenceSettings(auto, backend('onnxruntime', 'wasm'), 2).ort?.executionProvider, 'onnxruntime stays on the CPU provider')
})
