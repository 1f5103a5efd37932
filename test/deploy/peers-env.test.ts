import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../services/common/config.js'
import { projectRoot } from '../../services/common/project.js'

/** ../shared/bench-peers/run-peers.sh passes bench/peers.env as PROJECT_ENV: `env $PROJECT_ENV node dist/server.js`. */
t.test('bench/peers.env is one line of VAR=value settings the service accepts: MobileNetV2 1.0 224 on onnxruntime', async t => {
  const text = await readFile(join(projectRoot, 'bench/peers.env'), 'utf8')
  const lines = text.split('\n').filter(l => l.trim() !== '')
  t.equal(lines.length, 1)
  const pairs = lines[0].trim().split(/\s+/)
  t.ok(pairs.every(p => /^[A-Z_]+=[^\s'"]+$/.test(p)), 'plain VAR=value words, nothing for a shell to interpret')
  const env = Object.fromEntries(pairs.map(p => p.split('=')))
  const config = loadConfig(env)
  t.equal(config.MODEL_DIR, 'model/food-v2', 'the food 2.0.0 weights (MobileNetV2 1.0, 224x224), kept under this name in main')
  t.equal(config.INFERENCE_BACKEND, 'onnxruntime', 'forced: the run fails loudly rather than measure wasm by mistake')
})
