/**
 * Every Kubernetes manifest against the Kubernetes API's own schemas (its OpenAPI definitions, compiled to
 * validators by the npm package kubernetes-models): the kustomization outputs (deploy/k8s, deploy/k8s/gpu), the
 * prometheus-adapter rules, and the Pod fields of the KServe InferenceService. KServe's CRD schema is packaged
 * nowhere we can install from (npm, Debian): the InferenceService's own fields are checked here by hand.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Pod } from 'kubernetes-models/v1/Pod'
import { Service } from 'kubernetes-models/v1/Service'
import { parse, parseAllDocuments } from 'yaml'
import { renderKustomization } from '../../scripts/deploy/kustomize.js'
import { projectRoot } from '../../services/common/project.js'
import { build } from '../helper.js'

type Manifest = Record<string, any>

const models: Record<string, new (data: any) => { validate: () => void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod
}

/** The schema's complaint about a manifest, or undefined when it passes. */
function schemaError (manifest: Manifest): string | undefined {
  const Model = models[`${manifest.apiVersion}/${manifest.kind}`]
  if (Model === undefined) return `no schema for ${manifest.apiVersion} ${manifest.kind}`
  try {
    new Model(manifest).validate()
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

const kubectl = await promisify(execFile)('kubectl', ['version', '--client']).then(() => true, () => false)

for (const dir of ['deploy/k8s', 'deploy/k8s/gpu']) {
  t.test(`${dir}: every resource of the kustomization passes the Kubernetes schema`, async t => {
    const manifests = await renderKustomization(join(projectRoot, dir))
    t.same(manifests.map(m => m.kind).sort(), ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service'])
    for (const manifest of manifests) t.equal(schemaError(manifest), undefined, `${manifest.kind} ${manifest.metadata.name}`)
  })

  // kubectl is not in Debian 12's own archive at a version whose kustomize reads `patches` (1.20): where one is
  // installed, scripts/deploy/kustomize.ts must render what it renders.
  t.test(`${dir}: scripts/deploy/kustomize.ts renders what kubectl kustomize renders`, { skip: kubectl ? false : 'kubectl is not installed' }, async t => {
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(projectRoot, dir)])
    const byIdentity = (ms: Manifest[]) => Object.fromEntries(ms.map(m => [`${m.kind}/${m.metadata.name}`, m]))
    t.same(byIdentity(await renderKustomization(join(projectRoot, dir))), byIdentity(parseAllDocuments(stdout).map(d => d.toJS())))
  })
}

t.test('the schema check can fail: a wrong type, a bad enum value, a missing required field', async t => {
  const [deployment] = (await renderKustomization(join(projectRoot, 'deploy/k8s'))).filter(m => m.kind === 'Deployment')
  const broken = structuredClone(deployment)
  broken.spec.replicas = 'two'
  t.match(schemaError(broken), /replicas must be integer/)
  const badPolicy = structuredClone(deployment)
  badPolicy.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes'
  t.match(schemaError(badPolicy), /imagePullPolicy must be equal to one of the allowed values/)
  const noSelector = structuredClone(deployment)
  delete noSelector.spec.selector
  t.match(schemaError(noSelector), /selector/)
})

t.test('prometheus-adapter: a valid ConfigMap whose rules serve every Pods metric of the HPA, from series /metrics exports', async t => {
  const configMap = parse(await readFile(join(projectRoot, 'deploy/k8s/prometheus-adapter.yaml'), 'utf8')) as Manifest
  t.equal(schemaError(configMap), undefined)
  const rules = (parse(configMap.data['config.yaml']) as { rules: Array<{ seriesQuery: string, name: { matches: string, as: string }, metricsQuery: string }> }).rules
  const hpa = (await renderKustomization(join(projectRoot, 'deploy/k8s'))).find(m => m.kind === 'HorizontalPodAutoscaler')!
  const podsMetrics = hpa.spec.metrics.filter((m: Manifest) => m.type === 'Pods').map((m: Manifest) => m.pods.metric.name)
  t.ok(podsMetrics.length >= 1, 'the HPA scales on the service\'s own metrics')
  t.same(podsMetrics.filter((name: string) => !rules.some(r => r.name.as === name)), [], 'each has an adapter rule')

  const app = await build(t)
  const exported = new Set(((await app.inject('/metrics')).body.split('\n')).filter(l => !l.startsWith('#') && l !== '').map(l => l.split(/[{ ]/)[0]))
  for (const rule of rules) {
    const series = rule.seriesQuery.split('{')[0].replace(/'/g, '')
    t.ok(exported.has(series), `${series} (for ${rule.name.as}) is exported by /metrics`)
    t.match(rule.metricsQuery, /rate\(<<\.Series>>\{<<\.LabelMatchers>>\}\[\d+m\]\)/, `${rule.name.as} is a rate of the counter`)
    t.match(series, new RegExp(rule.name.matches))
  }
})

t.test('deploy/kserve: the predictor\'s Pod fields pass the Kubernetes schema; its KServe fields are of the types KServe takes', async t => {
  const service = parse(await readFile(join(projectRoot, 'deploy/kserve/inferenceservice.yaml'), 'utf8')) as Manifest
  const { containers, volumes, ...predictor } = service.spec.predictor
  // KServe's PredictorSpec embeds a Pod spec: its containers and volumes are Pod fields.
  t.equal(schemaError({ apiVersion: 'v1', kind: 'Pod', metadata: { name: service.metadata.name }, spec: { containers, volumes } }), undefined)
  t.ok(schemaError({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ ...containers[0], ports: [{ containerPort: '8080' }] }] } }) !== undefined, 'and that check can fail')
  // The fields of KServe's ComponentExtensionSpec (serving.kserve.io/v1beta1), as its CRD types them.
  const known: Record<string, (v: unknown) => boolean> = {
    protocolVersion: v => v === 'v1' || v === 'v2' || v === 'grpc-v2',
    minReplicas: v => Number.isInteger(v) && (v as number) >= 0,
    maxReplicas: v => Number.isInteger(v) && (v as number) >= 0,
    scaleMetric: v => ['cpu', 'memory', 'concurrency', 'rps'].includes(v as string),
    scaleTarget: v => Number.isInteger(v) && (v as number) > 0,
    containerConcurrency: v => Number.isInteger(v) && (v as number) >= 0,
    timeout: v => Number.isInteger(v) && (v as number) > 0
  }
  for (const [key, value] of Object.entries(predictor)) t.ok(known[key]?.(value), `predictor.${key}: ${JSON.stringify(value)}`)
  t.ok(predictor.scaleTarget <= predictor.containerConcurrency, 'the soft target is within the hard limit')
})
