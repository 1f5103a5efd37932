/**
 * nginx for the load-balancer test: the deployment's template rendered as the nginx image renders it, inside a
 * minimal main configuration that keeps every file (pid, logs, temp) in one directory.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { projectRoot } from '../../services/common/project.js'
import { spawnTracked } from './service-process.js'

export const nginxTemplatePath = join(projectRoot, 'deploy/nginx/food-classifier.conf.template')

/** What the nginx image's envsubst step does: replaces ${NAME} for the variables given, leaves the rest. */
export function renderTemplate (template: string, vars: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole)
}

/** The nginx binary, or undefined when nginx is not installed. */
export function findNginx (): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']
  return dirs.map(dir => join(dir, 'nginx')).find(path => path.startsWith('/') && existsSync(path))
}

export interface NginxConfig {
  dir: string
  port: number
  upstreams: Array<{ host: string, port: number }>
}

/** Writes nginx.conf (main) and food-classifier.conf (the rendered template) into `dir`; returns nginx.conf's path. */
export async function writeNginxConfig ({ dir, port, upstreams }: NginxConfig): Promise<string> {
  const site = renderTemplate(await readFile(nginxTemplatePath, 'utf8'), {
    NGINX_PORT: `127.0.0.1:${port}`,
    FOOD_UPSTREAM_SERVERS: upstreams.map(u => `server ${u.host}:${u.port};`).join(' ')
  })
  await writeFile(join(dir, 'food-classifier.conf'), site)
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, temp), { recursive: true })
  const main = `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/food-classifier.conf;
    log_format lb '$msec|$status|$food_request_id|$upstream_addr|$upstream_status|$request_time';
    access_log ${dir}/access.log lb;
}
`
  const path = join(dir, 'nginx.conf')
  await writeFile(path, main)
  return path
}

/** nginx -t on a configuration: the output, and whether it passed. */
export async function testNginxConfig (nginx: string, config: string, dir: string): Promise<{ ok: boolean, output: string }> {
  try {
    const { stderr, stdout } = await promisify(execFile)(nginx, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', config])
    return { ok: true, output: stdout + stderr }
  } catch (err) {
    const e = err as { stderr?: string, stdout?: string, message: string }
    return { ok: false, output: (e.stdout ?? '') + (e.stderr ?? e.message) }
  }
}

export function startNginx (nginx: string, config: string, dir: string): ChildProcess {
  return spawnTracked(nginx, ['-p', dir, '-e', join(dir, 'error.log'), '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] })
}

export interface AccessLogLine {
  time: number
  status: number
  requestId: string
  /** Each instance tried, in order ("127.0.0.1:41001"). */
  upstreams: string[]
  upstreamStatuses: string[]
}

export async function readAccessLog (dir: string): Promise<AccessLogLine[]> {
  const text = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).map(line => {
    const [time, status, requestId, upstream, upstreamStatus] = line.split('|')
    return {
      time: Number(time) * 1000,
      status: Number(status),
      requestId,
      upstreams: upstream.split(/, | : /).filter(u => u !== '' && u !== '-'),
      upstreamStatuses: upstreamStatus.split(/, | : /).filter(u => u !== '' && u !== '-')
    }
  })
}
