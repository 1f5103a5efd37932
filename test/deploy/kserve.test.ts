/**
 * What can be checked of the KServe InferenceService without a cluster: it parses, its container's environment
 * passes the service's config schema, its probes hit routes that answer, and it speaks the protocol it declares.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { ConfigSchema, loadConfig } from '../../services/common/config.js'
import { projectRoot } from '../../services/common/project.js'
import { build } from '../helper.js'

t.test('deploy/kserve: a V2 InferenceService with a custom predictor container, probes on routes that answer, resources, scaling', async t => {
  const service = parse(await readFile(join(projectRoot, 'deploy/kserve/inferenceservice.yaml'), 'utf8'))
  t.equal(service.apiVersion, 'serving.kserve.io/v1beta1')
  t.equal(service.kind, 'InferenceService')
  const predictor = service.spec.predictor
  t.equal(predictor.protocolVersion, 'v2')
  t.ok(predictor.minReplicas >= 1 && predictor.maxReplicas > predictor.minReplicas, 'scales between replicas')
  t.match(predictor, { scaleMetric: String, scaleTarget: Number })
  const [container] = predictor.containers
  t.equal(container.name, 'kserve-container', 'the name KServe gives the predictor container')
  const env = Object.fromEntries(container.env.map((e: { name: string, value: string }) => [e.name, e.value]))
  t.same(Object.keys(env).filter(key => !(key in ConfigSchema.properties)), [], 'every variable is one the service reads')
  const config = loadConfig(env)
  t.equal(container.ports[0].containerPort, config.PORT)
  t.equal(config.PORT, 8080, 'the port KServe routes to')
  t.match(container.resources, { requests: { cpu: String, memory: String }, limits: { memory: String } })
  t.ok(container.securityContext.runAsNonRoot)

  const app = await build(t, { DEFAULT_MODEL: config.DEFAULT_MODEL })
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const { path, port } = container[probe].httpGet
    t.equal(port, config.PORT, `${probe} on the container port`)
    t.equal((await app.inject(path)).statusCode, 200, `${probe}: GET ${path} answers 200 when ready`)
  }
  t.match(container.readinessProbe.httpGet.path, /^\/v2\//, 'readiness is the V2 protocol\'s')
  const metadata = (await app.inject('/v2')).json()
  t.ok(metadata.extensions.includes('binary_tensor_data'), 'the server speaks V2 with the binary extension')
  app.readiness.drain()
  t.equal((await app.inject(container.readinessProbe.httpGet.path)).statusCode, 503, 'readiness fails while draining')
  t.equal((await app.inject(container.livenessProbe.httpGet.path)).statusCode, 200, 'liveness does not')
})
