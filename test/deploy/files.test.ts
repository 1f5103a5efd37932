/**
 * What can be checked of the deployment files without a container engine or a cluster: they parse, they run the
 * entrypoint the build produces, their environment passes the service's config schema, the probes and health
 * check hit routes that answer, the nginx configuration is valid and is the one the load-balancer test uses.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { parse } from 'yaml'
import { renderKustomization } from '../../scripts/deploy/kustomize.js'
import { composeShutdownEnv } from '../../scripts/deploy/lb-test.js'
import { findNginx, nginxTemplatePath, renderTemplate, testNginxConfig, writeNginxConfig } from '../../scripts/deploy/nginx.js'
import { ConfigSchema, loadConfig } from '../../services/common/config.js'
import { projectRoot } from '../../services/common/project.js'
import { build } from '../helper.js'

const root = (...parts: string[]) => join(projectRoot, ...parts)
const read = (...parts: string[]) => readFile(root(...parts), 'utf8')
const schemaKeys = Object.keys(ConfigSchema.properties)

interface Instruction { keyword: string, args: string, stage: number }

/** Dockerfile instructions, continuation lines joined, comments dropped, each with the index of its stage. */
function parseDockerfile (text: string): Instruction[] {
  const joined = text.split('\n').filter(line => !line.trim().startsWith('#')).join('\n').replace(/\\\n/g, ' ')
  const instructions: Instruction[] = []
  let stage = -1
  for (const line of joined.split('\n').map(l => l.trim()).filter(Boolean)) {
    const [keyword, ...rest] = line.split(/\s+/)
    if (keyword.toUpperCase() === 'FROM') stage++
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), stage })
  }
  return instructions
}

/** ENV a=b c=d (or ENV a b) as an object. */
function envOf (instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of instructions.filter(i => i.keyword === 'ENV')) {
    if (!args.includes('=')) {
      const [key, ...value] = args.split(/\s+/)
      env[key] = value.join(' ')
    } else {
      for (const pair of args.split(/\s+/)) {
        const [key, value] = pair.split('=')
        env[key] = value.replace(/^"|"$/g, '')
      }
    }
  }
  return env
}

/** The service's variables of an environment must be schema keys with valid values; others are not its business. */
function checkServiceEnv (t: Test, env: Record<string, string>, allowed: string[] = []) {
  const unknown = Object.keys(env).filter(key => !schemaKeys.includes(key) && !allowed.includes(key))
  t.same(unknown, [], 'every variable is one the service reads (services/common/config.ts)')
  t.doesNotThrow(() => loadConfig(env), 'and the values pass its schema')
  return loadConfig(env)
}

/** As Docker reads .dockerignore: the last pattern matching a path (or a folder above it) decides; `!` keeps it. */
function dockerignored (patterns: string[], path: string): boolean {
  let ignored = false
  for (const line of patterns) {
    const keep = line.startsWith('!')
    const pattern = keep ? line.slice(1) : line
    if (pattern.startsWith('*.') ? path.endsWith(pattern.slice(1)) : path === pattern || path.startsWith(`${pattern}/`)) ignored = !keep
  }
  return ignored
}

const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, { version: string }> }
const tfjsVersion = lock.packages['node_modules/@tensorflow/tfjs'].version
const dockerignore = (await read('.dockerignore')).split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))

for (const [file, binding, backend, baseImage] of [
  ['Dockerfile', undefined, 'onnxruntime', /^node:\$\{NODE_VERSION\}-bookworm-slim$/],
  ['Dockerfile.gpu', '@tensorflow/tfjs-node-gpu', 'tensorflow-gpu', /^nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-/]
] as const) {
  t.test(`deploy/${file}: multi-stage, non-root, health check, the built entrypoint, an environment the service accepts`, async t => {
    const instructions = parseDockerfile(await read('deploy', file))
    const args = Object.fromEntries(instructions.filter(i => i.keyword === 'ARG' && i.args.includes('=')).map(i => i.args.split('=')))
    const stages = instructions.filter(i => i.keyword === 'FROM')
    const last = stages.length - 1
    t.ok(stages.length >= 2, `${stages.length} stages`)
    const final = instructions.filter(i => i.stage === last)
    const base = stages[last].args.split(/\s+/)[0].replace(/^\$\{(\w+)\}$/, (_m, name: string) => args[name])
    t.match(base, baseImage, `runs on ${base}`)

    const user = final.filter(i => i.keyword === 'USER').at(-1)?.args
    t.ok(user !== undefined && !['root', '0'].includes(user), `runs as ${user}`)
    t.same(JSON.parse(final.find(i => i.keyword === 'CMD')!.args), ['node', 'dist/server.js'])
    const tsconfig = JSON.parse(await read('tsconfig.json')) as { compilerOptions: { outDir: string, rootDir: string }, include: string[] }
    t.equal(tsconfig.compilerOptions.outDir, 'dist', 'npm run build writes dist/')
    t.ok(tsconfig.include.includes('server.ts') && tsconfig.compilerOptions.rootDir === '.', 'server.ts compiles to dist/server.js')
    t.ok(instructions.some(i => i.stage < last && i.keyword === 'RUN' && i.args.includes('npm run build')), 'a build stage runs npm run build')
    t.ok(final.some(i => i.keyword === 'COPY' && /--from=build \/app\/dist dist/.test(i.args)), 'and the final stage takes its dist/')
    for (const stage of new Set(instructions.filter(i => i.keyword === 'RUN' && /npm ci/.test(i.args)).map(i => i.stage))) {
      t.ok(instructions.some(i => i.stage === stage && i.keyword === 'COPY' && i.args.split(/\s+/).includes('.npmrc')),
        `stage ${stage} copies .npmrc before npm ci (onnxruntime-node-install=skip: no CUDA download from nuget)`)
    }

    const healthcheck = final.find(i => i.keyword === 'HEALTHCHECK')
    t.ok(healthcheck, 'HEALTHCHECK')
    t.match(healthcheck!.args, /CMD \["node", "deploy\/healthcheck\.mjs"\]/)

    const env = envOf(final)
    const config = checkServiceEnv(t, env, ['NODE_ENV', 'MALLOC_ARENA_MAX', 'NVIDIA_DRIVER_CAPABILITIES'])
    t.equal(env.MALLOC_ARENA_MAX, '2', 'glibc arenas capped: the fuzz run measured RSS climbing without it (allocator fragmentation)')
    t.equal(config.INFERENCE_BACKEND, backend)
    t.equal(config.HOST, '0.0.0.0')
    t.equal(final.find(i => i.keyword === 'EXPOSE')?.args, String(config.PORT), 'EXPOSE is PORT')

    if (binding === undefined) {
      t.notOk(instructions.some(i => /tfjs-node/.test(i.args)), 'no TensorFlow binding (its install downloads libtensorflow)')
      t.ok(instructions.some(i => i.keyword === 'RUN' && /onnxruntime_binding\.node/.test(i.args)), 'the build fails without onnxruntime-node\'s CPU binding')
      t.ok(final.some(i => i.keyword === 'COPY' && i.args.startsWith(config.ONNX_CHECK_PHOTOS.slice(projectRoot.length + 1))), 'the photos the ONNX conversion is checked on (ONNX_CHECK_PHOTOS) are in the image')
    } else {
      t.equal(args.TFJS_VERSION, tfjsVersion, 'the binding is the release of @tensorflow/tfjs in package-lock.json')
      const install = instructions.find(i => i.keyword === 'RUN' && i.args.includes(`${binding}@\${TFJS_VERSION}`))
      t.match(install?.args, /npm install --no-save --omit=dev --ignore-scripts/, `installs ${binding}`)
      t.match(install?.args, `npm run --prefix node_modules/${binding} install`, 'runs its install script itself, whatever npm\'s script policy')
      t.match(install?.args, `find node_modules/${binding}/lib -name tfjs_binding.node`, 'and fails the build without the addon')
      // The WebGPU path in the same image: the Vulkan loader, the driver's Vulkan files, onnxruntime-node, the check photos.
      t.ok(final.some(i => i.keyword === 'RUN' && /apt-get install .*\blibvulkan1\b/.test(i.args)), 'the Vulkan loader (libvulkan1) is installed')
      t.match(env.NVIDIA_DRIVER_CAPABILITIES?.split(','), ['compute', 'utility', 'graphics'], 'NVIDIA_DRIVER_CAPABILITIES includes graphics: the toolkit then mounts the Vulkan driver')
      t.ok(instructions.some(i => i.keyword === 'RUN' && /libonnxruntime\.so\.1/.test(i.args)), 'the build fails without onnxruntime-node\'s library (its WebGPU provider)')
      t.ok(final.some(i => i.keyword === 'COPY' && i.args.startsWith(config.ONNX_CHECK_PHOTOS.slice(projectRoot.length + 1))), 'the photos the ONNX conversion is checked on are in the image')
    }
    t.ok(instructions.some(i => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args)), 'production dependencies from the lockfile')

    for (const copy of instructions.filter(i => i.keyword === 'COPY' && !i.args.includes('--from='))) {
      const sources = copy.args.split(/\s+/).slice(0, -1)
      for (const source of sources) {
        t.ok(existsSync(root(source)), `COPY ${source}: exists`)
        t.notOk(dockerignored(dockerignore, source), `COPY ${source}: not excluded by .dockerignore`)
      }
    }
  })
}

t.test('.dockerignore keeps dependencies, build output, data, tests and the VCS out of the build context', async t => {
  for (const path of ['node_modules', '.git', 'dist', 'data', 'test', 'test/fixtures/images', 'server.log']) t.ok(dockerignored(dockerignore, path), path)
  for (const path of ['package.json', 'package-lock.json', 'model', 'services', 'deploy/healthcheck.mjs', 'test/fixtures/photos/food']) t.notOk(dockerignored(dockerignore, path), path)
})

t.test('the image health check passes on a ready instance and fails on a draining one or a closed port', async t => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const healthcheck = async (p: number) => promisify(execFile)(process.execPath, [root('deploy/healthcheck.mjs')], { env: { ...process.env, PORT: String(p) } }).then(() => 0, (err: { code: number }) => err.code)
  t.equal(await healthcheck(port), 0, 'ready: healthy')
  app.readiness.drain()
  t.equal(await healthcheck(port), 1, 'draining: unhealthy')
  await app.close()
  t.equal(await healthcheck(port), 1, 'closed: unhealthy')
})

t.test('deploy/compose.yaml: replicas behind nginx with the shared template; environments the service and the template accept', async t => {
  const compose = parse(await read('deploy/compose.yaml'), { merge: true }) as { services: Record<string, any> }
  const { app, nginx } = compose.services
  t.ok(app.deploy.replicas >= 2, `${app.deploy.replicas} replicas`)
  t.ok(existsSync(join(root('deploy'), app.build.context, app.build.dockerfile)), 'builds deploy/Dockerfile')
  const config = checkServiceEnv(t, app.environment)
  t.equal(config.INFERENCE_BACKEND, 'onnxruntime', 'the engine of the CPU image (deploy/Dockerfile)')
  t.ok(app.read_only === true && app.tmpfs.includes('/tmp'), 'read-only root filesystem and a tmpfs /tmp, as npm run test:containers runs the image')
  t.ok(parseInt(app.stop_grace_period) * 1000 > config.SHUTDOWN_TIMEOUT_MS, `stop_grace_period ${app.stop_grace_period} is longer than SHUTDOWN_TIMEOUT_MS`)
  t.equal(config.ADMISSION_HOLD_MS, 0, 'nginx retries a 503 on another replica: refusals are answered at once, not held')
  t.same(await composeShutdownEnv(), { SHUTDOWN_DELAY_MS: String(config.SHUTDOWN_DELAY_MS), SHUTDOWN_TIMEOUT_MS: String(config.SHUTDOWN_TIMEOUT_MS), ADMISSION_HOLD_MS: '0' }, 'the load-balancer test runs the instances with these settings')

  const gpu = compose.services['app-gpu']
  t.equal(checkServiceEnv(t, gpu.environment, ['NVIDIA_DRIVER_CAPABILITIES']).INFERENCE_BACKEND, 'webgpu')
  t.equal(gpu.build.dockerfile, 'deploy/Dockerfile.webgpu')
  t.match(gpu.deploy.resources.reservations.devices, [{ driver: 'nvidia', capabilities: ['gpu'] }])
  t.ok(gpu.deploy.resources.reservations.devices[0].capabilities.includes('graphics'), 'the graphics capability (the Vulkan driver, for webgpu)')
  t.ok(gpu.environment.NVIDIA_DRIVER_CAPABILITIES.split(',').includes('graphics'), 'NVIDIA_DRIVER_CAPABILITIES includes graphics')

  for (const proxy of [nginx, compose.services['nginx-gpu']]) {
    const [source, target] = proxy.volumes[0].split(':')
    t.equal(join(root('deploy'), source), nginxTemplatePath, 'nginx mounts the template the load-balancer test uses')
    t.equal(target, '/etc/nginx/templates/default.conf.template', 'where the nginx image renders templates, replacing its default site')
    const variables = [...(await readFile(nginxTemplatePath, 'utf8')).matchAll(/\$\{(\w+)\}/g)].map(m => m[1])
    t.same([...new Set(variables)].sort(), Object.keys(proxy.environment).sort(), 'it sets exactly the template\'s variables')
    t.equal(proxy.ports[0].split(':')[1], proxy.environment.NGINX_PORT)
    t.match(proxy.environment.FOOD_UPSTREAM_SERVERS, /^server app(-gpu)?:3000;$/)
  }
})

t.test('the nginx template renders as the nginx image renders it', async t => {
  const template = await readFile(nginxTemplatePath, 'utf8')
  const rendered = renderTemplate(template, { NGINX_PORT: '8080', FOOD_UPSTREAM_SERVERS: 'server app:3000;' })
  t.notMatch(rendered, /\$\{/, 'no variable left')
  t.match(rendered, '$http_x_request_id', 'nginx\'s own variables are left alone')
  t.match(rendered, /proxy_next_upstream error timeout http_503 non_idempotent;/)
})

const nginx = findNginx()
t.test('nginx -t accepts the configuration the load-balancer test runs', { skip: nginx === undefined ? 'nginx is not installed' : false }, async t => {
  const dir = await mkdtemp(join(tmpdir(), 'nginx-t-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const config = await writeNginxConfig({ dir, port: 18080, upstreams: [{ host: '127.0.0.1', port: 3001 }, { host: '127.0.0.1', port: 3002 }] })
  const result = await testNginxConfig(nginx!, config, dir)
  t.ok(result.ok, result.output)
})

t.test('deploy/k8s: Deployment with probes on routes that answer, resources, a grace period longer than the drain; Service; HPA; PDB', async t => {
  const docs = await renderKustomization(root('deploy/k8s'))
  const byKind = Object.fromEntries(docs.map(d => [d.kind, d]))
  t.same(Object.keys(byKind).sort(), ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'])

  const deployment = byKind.Deployment
  const pod = deployment.spec.template
  const container = pod.spec.containers[0]
  const env = Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value]))
  const config = checkServiceEnv(t, env)
  t.equal(container.ports[0].containerPort, config.PORT)
  t.ok(pod.spec.terminationGracePeriodSeconds * 1000 > config.SHUTDOWN_TIMEOUT_MS, `terminationGracePeriodSeconds ${pod.spec.terminationGracePeriodSeconds} > SHUTDOWN_TIMEOUT_MS ${config.SHUTDOWN_TIMEOUT_MS}`)
  t.ok(config.SHUTDOWN_DELAY_MS >= 5000, 'a drain delay for the endpoint removal to propagate')
  t.ok(pod.spec.securityContext.runAsNonRoot)
  t.match(container.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
  t.same(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath), ['/tmp'], 'only /tmp is writable (the ONNX conversion\'s cache)')
  t.equal(config.INFERENCE_BACKEND, 'onnxruntime', 'the engine of the CPU image (deploy/Dockerfile)')
  t.match(container.resources, { requests: { cpu: String, memory: String }, limits: { memory: String } })
  t.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0)
  t.same(deployment.spec.selector.matchLabels, pod.metadata.labels)

  const app = await build(t)
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const { path, port } = container[probe].httpGet
    t.equal(port, container.ports[0].name, `${probe} on the container port`)
    t.equal((await app.inject(path)).statusCode, 200, `${probe}: GET ${path} answers 200 when ready`)
  }
  t.equal(container.livenessProbe.httpGet.path, '/health/live')
  t.equal(container.readinessProbe.httpGet.path, '/health/ready')
  app.readiness.drain()
  t.equal((await app.inject(container.readinessProbe.httpGet.path)).statusCode, 503, 'readiness fails while draining')
  t.equal((await app.inject(container.livenessProbe.httpGet.path)).statusCode, 200, 'liveness does not')

  const service = byKind.Service
  t.same(service.spec.selector, pod.metadata.labels)
  t.equal(service.spec.ports[0].targetPort, container.ports[0].name)
  const hpa = byKind.HorizontalPodAutoscaler
  t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
  t.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas)
  t.same(byKind.PodDisruptionBudget.spec.selector.matchLabels, pod.metadata.labels)
})

t.test('deploy/Dockerfile.webgpu: the runtime on the slim Node image with the Vulkan loader, no CUDA, no TensorFlow binding; the default target is it; lavapipe only in its own target', async t => {
  const instructions = parseDockerfile(await read('deploy/Dockerfile.webgpu'))
  const froms = instructions.filter(i => i.keyword === 'FROM').map(i => i.args)
  t.same(froms, ['node:${NODE_VERSION}-bookworm AS build', 'node:${NODE_VERSION}-bookworm AS dependencies', 'node:${NODE_VERSION}-bookworm-slim AS runtime', 'runtime AS lavapipe', 'runtime AS webgpu'])
  t.equal(instructions.at(-1)!.keyword, 'FROM', 'the last stage, the default target, is the runtime as it is')
  const runtime = instructions.filter(i => i.stage === 2)
  t.ok(runtime.some(i => i.keyword === 'RUN' && /apt-get install .*\blibvulkan1\b/.test(i.args)), 'the Vulkan loader')
  t.notOk(runtime.some(i => /mesa|lavapipe/.test(i.args)), 'no software Vulkan in the image to deploy')
  t.notOk(instructions.some(i => /tfjs-node|nvidia\/cuda/.test(i.args)), 'no TensorFlow binding, no CUDA image')
  const cpu = parseDockerfile(await read('deploy/Dockerfile')).filter(i => i.stage < 2)
  t.same(instructions.filter(i => i.stage < 2), cpu, 'build and dependencies stages as deploy/Dockerfile\'s, so the images share layers')
  const env = envOf(runtime)
  t.equal(checkServiceEnv(t, env, ['NODE_ENV', 'MALLOC_ARENA_MAX', 'NVIDIA_DRIVER_CAPABILITIES']).INFERENCE_BACKEND, 'auto', 'auto: webgpu on a GPU, the reason it skipped it otherwise')
  t.match(env.NVIDIA_DRIVER_CAPABILITIES.split(','), ['compute', 'utility', 'graphics'])
  t.same(JSON.parse(runtime.find(i => i.keyword === 'CMD')!.args), ['node', 'dist/server.js'])
  t.equal(runtime.filter(i => i.keyword === 'USER').at(-1)?.args, 'node')
  t.equal(instructions.filter(i => i.stage === 3 && i.keyword === 'USER').at(-1)?.args, 'node', 'the lavapipe target runs as node too')
})

t.test('deploy/k8s/gpu: the GPU image, the GPU backend, one GPU per pod', async t => {
  const kustomization = parse(await read('deploy/k8s/gpu/kustomization.yaml')) as { resources: string[], patches: Array<{ path: string }> }
  t.same(kustomization.resources, ['../base'], 'the base, not the directory holding the overlay (kustomize: cycle detected)')
  const patch = parse(await read('deploy/k8s/gpu', kustomization.patches[0].path))
  const container = patch.spec.template.spec.containers[0]
  t.equal(container.name, 'food-classifier')
  t.equal(container.image, 'food-classifier:webgpu')
  const env = Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value]))
  t.equal(checkServiceEnv(t, env, ['NVIDIA_DRIVER_CAPABILITIES']).INFERENCE_BACKEND, 'webgpu')
  t.ok(env.NVIDIA_DRIVER_CAPABILITIES.split(',').includes('graphics'), 'NVIDIA_DRIVER_CAPABILITIES includes graphics: the runtime mounts the Vulkan driver (webgpu)')
  t.equal(container.resources.limits['nvidia.com/gpu'], 1)
})

t.test('npm run test:lb runs the load-balancer test; npm run test:containers the container test', async t => {
  const pkg = JSON.parse(await read('package.json')) as { scripts: Record<string, string> }
  t.equal(pkg.scripts['test:lb'], 'tsx scripts/deploy/lb-test.ts')
  t.equal(pkg.scripts['test:containers'], 'tsx scripts/deploy/containers.ts')
})
