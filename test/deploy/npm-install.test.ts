import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { projectRoot } from '../../services/common/project.js'

const run = promisify(execFile)

/**
 * onnxruntime-node's install script fetches the CUDA execution provider from api.nuget.org on linux/x64 unless
 * npm's config says `onnxruntime-node-install=skip`; the project's .npmrc says so, so `npm ci` needs only the npm
 * registry. Any download attempt is made to fail at once here (a proxy on a closed port), so with the setting
 * removed this test fails on any machine, online or not.
 */
const deadProxy = { ...process.env, GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9' }

t.test('.npmrc tells onnxruntime-node to skip its CUDA download', async t => {
  t.match(await readFile(join(projectRoot, '.npmrc'), 'utf8'), /^onnxruntime-node-install=skip$/m)
})

t.test("onnxruntime-node's install script, run by npm with the project's config, downloads nothing", async t => {
  const ok = await run('npm', ['rebuild', 'onnxruntime-node', '--foreground-scripts'], { cwd: projectRoot, env: deadProxy })
  t.match(ok.stdout + ok.stderr, /rebuilt dependencies successfully/)
  await t.rejects(run('npm', ['rebuild', 'onnxruntime-node', '--foreground-scripts', '--onnxruntime-node-install=cuda12'], { cwd: projectRoot, env: deadProxy }),
    { code: 1 }, 'control: asked to install CUDA, the same script tries the download and fails')
})
