/**
 * The documentation as a reader follows it: in README.md, every docs/*.md page and the model cards, every relative
 * link and image leads to a file of the repository (and an anchor to a heading of its target, by GitHub's slug
 * rules), every `npm run <name>` names a script of package.json, and every repository path written as code exists.
 * README.md stays a front page: under 300 lines, linking every page of docs/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../services/common/project.js'

const scripts = new Set(Object.keys((JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts))
const docPages = readdirSync(join(projectRoot, 'docs')).filter(name => name.endsWith('.md')).sort().map(name => `docs/${name}`)
const modelCards = readdirSync(join(projectRoot, 'model')).map(name => `model/${name}/MODEL_CARD.md`).filter(path => existsSync(join(projectRoot, path)))
const pages = ['README.md', ...docPages, ...modelCards]

/** A page split into its prose (fenced code blanked, so line numbers stay) and the text of its code. */
function splitPage (text: string): { prose: string[], code: string[] } {
  const prose: string[] = []
  const code: string[] = []
  let fenced = false
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced
      prose.push('')
    } else if (fenced) {
      code.push(line)
      prose.push('')
    } else {
      code.push(...[...line.matchAll(/`([^`]+)`/g)].map(m => m[1]))
      prose.push(line.replace(/`[^`]*`/g, match => ' '.repeat(match.length)))
    }
  }
  return { prose, code }
}

/** GitHub's heading anchors: lower case, punctuation but - and _ dropped, spaces to -, repeats numbered. */
function anchorsOf (text: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of headingLines(text)) {
    const rendered = line.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '').trim()
    const slug = rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
    const count = seen.get(slug) ?? 0
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
    seen.set(slug, count + 1)
  }
  return anchors
}

function headingLines (text: string): string[] {
  let fenced = false
  const headings: string[] = []
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) headings.push(heading[1])
  }
  return headings
}

const anchorCache = new Map<string, Set<string>>()
function anchorsOfFile (file: string): Set<string> {
  let anchors = anchorCache.get(file)
  if (anchors === undefined) {
    anchors = anchorsOf(readFileSync(file, 'utf8'))
    anchorCache.set(file, anchors)
  }
  return anchors
}

/** Where a page's relative links and images point: [text](target), ![alt](target), [name]: target, src/href. */
function linkTargets (prose: string[]): Array<{ line: number, target: string }> {
  const targets: Array<{ line: number, target: string }> = []
  prose.forEach((text, i) => {
    const found = [
      ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(m => m[1]),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map(m => m[1]),
      ...[...text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map(m => m[1])
    ]
    for (const target of found) {
      if (!/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(target)) targets.push({ line: i + 1, target })
    }
  })
  return targets
}

const REPOSITORY_PATH = /(?<![\w./@$<-])((?:app|server)\.ts|(?:services|scripts|test|deploy|plugins|routes|bench|model|sdk|web|proto|docs)\/[\w./-]*)/g

/** What is wrong with one page (path relative to `root`): dead links and anchors, unknown scripts, missing paths. */
function pageProblems (root: string, page: string, text: string): string[] {
  const problems: string[] = []
  const { prose, code } = splitPage(text)
  const file = join(root, page)

  for (const { line, target } of linkTargets(prose)) {
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined]
    const path = decodeURIComponent(rawPath.split('?')[0])
    const where = `${page}:${line}: ${target}`
    const destination = resolve(dirname(file), path)
    if (path !== '' && relative(root, destination).startsWith('..')) {
      problems.push(`${where} leads outside the repository`)
    } else if (path !== '' && !existsSync(destination)) {
      problems.push(`${where} leads to no file`)
    } else if (anchor !== undefined && anchor !== '' && (path === '' || destination.endsWith('.md'))) {
      const anchors = path === '' ? anchorsOf(text) : anchorsOfFile(destination)
      if (!anchors.has(decodeURIComponent(anchor))) problems.push(`${where}: no heading has the anchor #${anchor}`)
    }
  }

  const all = text.split('\n')
  all.forEach((line, i) => {
    for (const [, name] of line.matchAll(/\bnpm (?:run|run-script)\s+([A-Za-z0-9][\w:.-]*)/g)) {
      if (!scripts.has(name)) problems.push(`${page}:${i + 1}: npm run ${name}: package.json has no script "${name}"`)
    }
    for (const [, name] of line.matchAll(/\bnpm (start|test)\b/g)) {
      if (!scripts.has(name)) problems.push(`${page}:${i + 1}: npm ${name}: package.json has no script "${name}"`)
    }
  })

  for (const snippet of code) {
    for (const [, path] of snippet.matchAll(REPOSITORY_PATH)) {
      const trimmed = path.replace(/[.,:;]+$/, '')
      if (!existsSync(join(root, trimmed))) problems.push(`${page}: \`${trimmed}\` does not exist`)
    }
  }
  return [...new Set(problems)]
}

t.test('every relative link, anchor, npm run and repository path of the docs resolves', async t => {
  t.ok(docPages.length >= 9, `docs/ has its pages (${docPages.join(', ')})`)
  for (const page of pages) {
    t.same(pageProblems(projectRoot, page, readFileSync(join(projectRoot, page), 'utf8')), [], `${page}: nothing dead`)
  }
})

t.test('README.md is a front page: under 300 lines, linking every page of docs/', async t => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0)
  t.ok(lines < 300, `README.md has ${lines} lines`)
  const linked = new Set(linkTargets(splitPage(readme).prose).map(({ target }) => target.split('#')[0]))
  t.same(docPages.filter(page => !linked.has(page)), [], 'every docs/*.md page is linked from README.md')
})

t.test('the check finds what is dead: a missing file, a missing anchor, an unknown script, a missing path', async t => {
  const page = [
    '# A page',
    'See [the API](api.md#errors), [this page](#a-page) and ![a figure](page.png), not [this](#b-page).',
    'A [dead link](nowhere.md), a [dead anchor](api.md#no-such-heading), an [escape](../../outside.md).',
    '```sh',
    'npm run bench && npm run no-such-script && npm test',
    '```',
    'Written in `services/common/config.ts` and `services/nowhere.ts`; a link in code `[x](nowhere.md)` is not followed.'
  ].join('\n')
  t.same(pageProblems(projectRoot, 'docs/example.md', page), [
    'docs/example.md:2: #b-page: no heading has the anchor #b-page',
    'docs/example.md:3: nowhere.md leads to no file',
    'docs/example.md:3: api.md#no-such-heading: no heading has the anchor #no-such-heading',
    'docs/example.md:3: ../../outside.md leads outside the repository',
    'docs/example.md:5: npm run no-such-script: package.json has no script "no-such-script"',
    'docs/example.md: `services/nowhere.ts` does not exist'
  ])
})

t.test('anchors follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', async t => {
  const anchors = anchorsOf('# The page at `/`\n## Load balancing (nginx)\n## Notes\n```\n# not a heading\n```\n## Notes\n## int8 on onnxruntime')
  t.same([...anchors], ['the-page-at-', 'load-balancing-nginx', 'notes', 'notes-1', 'int8-on-onnxruntime'])
})
