/**
 * The load-balancer test (scripts/deploy/lb-test.ts) as part of the suite: nginx with the deployment's configuration
 * in front of two real instances under steady load, each restarted in turn. Zero failed requests or it fails.
 */
import t from 'tap'
import { formatReport, runLoadBalancerTest } from '../../scripts/deploy/lb-test.js'
import { findNginx } from '../../scripts/deploy/nginx.js'

// Two boots per instance on a shared machine: more than the suite's default per-file limit.
t.setTimeout(420_000)

const skip = findNginx() === undefined ? 'nginx is not installed (Debian: apt-get install nginx-light; .ci/run installs it)' : false

t.test('nginx in front of two instances under steady load: SIGTERM and restart one, then the other, and no request fails', { skip }, async t => {
  const report = await runLoadBalancerTest({ log: line => t.comment(line) })
  t.comment(formatReport(report))
  t.ok(report.sent >= 50, `${report.sent} requests sent`)
  t.equal(report.failed, 0, `${report.failed} failed ${JSON.stringify(report.failures)}`)
  t.equal(report.answered, report.sent, 'every request sent was answered')
  t.same(report.restarts.map(r => [r.instance, r.exitCode]), [['a', 0], ['b', 0]], 'each instance drained and exited 0')
  t.ok(report.restarts.every(r => r.drainMs < Number(report.shutdownEnv.SHUTDOWN_TIMEOUT_MS)), 'within SHUTDOWN_TIMEOUT_MS')
  t.ok((report.answeredBy.a ?? 0) > 0 && (report.answeredBy.b ?? 0) > 0, `both instances answered ${JSON.stringify(report.answeredBy)}`)
  t.same(report.problems, [])
})
