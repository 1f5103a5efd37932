import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { projectRoot } from '../common/project.js'

export const webDir = join(projectRoot, 'web')

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

export interface PageInfo {
  name: string
  version: string
  model: { name: string, version: string, labels: string[] }
  backend: string
  docs: boolean
  keyRequired: boolean
}

/** The page for people (web/index.html), read once; filled in per request, every value escaped. */
export async function loadPage (): Promise<(info: PageInfo) => string> {
  const template = await readFile(join(webDir, 'index.html'), 'utf8')
  return (info) => renderPage(template, info)
}

function renderPage (template: string, info: PageInfo): string {
  const values: Record<string, string> = {
    name: escapeHtml(info.name),
    version: escapeHtml(info.version),
    modelName: escapeHtml(info.model.name),
    modelVersion: escapeHtml(info.model.version),
    labels: escapeHtml(info.model.labels.join(' / ')),
    backend: escapeHtml(info.backend),
    keyRequired: String(info.keyRequired),
    docsLink: info.docs ? ' · <a href="docs">API docs</a>' : '',
    docsFooter: info.docs ? ', as the <a href="docs">API docs</a> show' : ''
  }
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, key: string) => values[key] ?? placeholder)
}

/**
 * Whether a request's Accept header prefers HTML to JSON: text/html named explicitly with a higher quality than
 * application/json gets (named, or through application/* or *\/*). Browsers navigating send text/html first; curl
 * (*\/*), fetch and the SDK (application/json) keep the JSON welcome, as does a tie.
 */
export function prefersHtml (accept: string | undefined): boolean {
  if (!accept) return false
  let html = 0
  let json = 0
  let jsonSpecificity = -1
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.trim().toLowerCase().split(';').map(s => s.trim())
    const qParam = params.find(p => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    if (!Number.isFinite(q)) continue
    if (type === 'text/html') html = Math.max(html, q)
    const specificity = type === 'application/json' ? 2 : type === 'application/*' ? 1 : type === '*/*' ? 0 : -1
    if (specificity > jsonSpecificity) {
      jsonSpecificity = specificity
      json = q
    }
  }
  return html > 0 && html > json
}
