import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { projectRoot } from '../../services/common/project.js'
import { build, imageFile, readFixture } from '../helper.js'

interface Rule { alert?: string, record?: string, expr: string, for?: string, labels?: Record<string, string>, annotations?: Record<string, string> }

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'abs', 'histogram_quantile', 'clamp_min', 'clamp_max', 'absent', 'vector', 'scalar', 'time'
])

/** The metric names a PromQL expression selects: identifiers outside label matchers and grouping clauses, not functions or keywords. */
export function metricNames (expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\boffset\s+\w+/g, ' ')
  const names = new Set<string>()
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0]
    const after = stripped.slice(match.index + name.length).trimStart()
    if (PROMQL_WORDS.has(name) || after.startsWith('(')) continue
    names.add(name)
  }
  return [...names]
}

/** The sample names /metrics exports (histograms' _bucket, _sum and _count included). */
function exportedNames (text: string): Set<string> {
  return new Set(text.split('\n').filter(l => l !== '' && !l.startsWith('#')).map(l => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0] ?? ''))
}

t.test('metricNames reads the selected metrics of an expression', async t => {
  t.same(metricNames('sum by (model, le) (rate(a_total{x="y"}[5m] offset 1d)) / ignoring (label) group_left b > 0.2'), ['a_total', 'b'])
})

t.test('deploy/prometheus/alerts.yaml: the rules parse and name only metrics /metrics exports', async t => {
  const doc = parse(await readFile(join(projectRoot, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: Array<{ name: string, rules: Rule[] }> }
  t.ok(Array.isArray(doc.groups) && doc.groups.length > 0, 'a groups list')
  const rules = doc.groups.flatMap(g => g.rules)
  t.ok(rules.length >= 2)
  const alerts = rules.map(r => r.alert)
  t.ok(alerts.includes('FoodClassifierUncertainShareHigh'), 'an alert on the uncertain share')
  t.ok(alerts.includes('FoodClassifierLabelMixShift'), 'an alert on the label mix')
  for (const rule of rules) {
    t.type(rule.alert, 'string', 'every rule is an alert')
    t.type(rule.expr, 'string')
    if (rule.for !== undefined) t.match(rule.for, /^\d+[smhd]$/, `${rule.alert}: for is a duration`)
    t.equal((rule.expr.match(/\(/g) ?? []).length, (rule.expr.match(/\)/g) ?? []).length, `${rule.alert}: parentheses balance`)
  }

  // Every series the rules read, present once the service has answered a few photos.
  const app = await build(t)
  for (const photo of ['flower.jpg', 'flower-alpha.png']) {
    t.equal((await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', photo)) })).statusCode, 200)
  }
  const exported = exportedNames((await app.inject('/metrics')).body)
  for (const rule of rules) {
    const names = metricNames(rule.expr)
    t.ok(names.length > 0, `${rule.alert} reads a metric`)
    for (const name of names) t.ok(exported.has(name), `${rule.alert}: ${name} is in /metrics`)
  }
})
