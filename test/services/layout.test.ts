import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { projectRoot } from '../../services/common/project.js'

/** The TypeScript files under a directory of the repository, as paths relative to the root. */
async function sources (dir: string): Promise<string[]> {
  const entries = await readdir(join(projectRoot, dir), { recursive: true })
  return entries.filter(f => f.endsWith('.ts')).map(f => join(dir, f))
}

/** The repository files a source imports (static, dynamic and type-only imports, re-exports), relative to the root. */
async function importsOf (file: string): Promise<string[]> {
  const text = await readFile(join(projectRoot, file), 'utf8')
  const found: string[] = []
  for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(projectRoot, resolve(projectRoot, dirname(file), match[1])).replace(/\.js$/, '.ts')
    if (existsSync(join(projectRoot, target))) found.push(target)
  }
  return found
}

/** Every cycle met by a depth-first walk of the import graph, each as the files along it. */
function cycles (graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const found: string[][] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next])
      else if (state.get(next) === undefined) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file)
  return found
}

t.test('services/ holds folders named for what they hold, and no loose file but an index', async t => {
  const entries = await readdir(join(projectRoot, 'services'), { withFileTypes: true })
  const loose = entries.filter(e => !e.isDirectory() && e.name !== 'index.ts').map(e => e.name)
  t.same(loose, [], 'no file directly under services/')
  t.ok(entries.filter(e => e.isDirectory()).length >= 5, 'grouped in folders')
})

t.test('the server\'s code has no import cycle', async t => {
  const files = [...await sources('services'), ...await sources('plugins'), ...await sources('routes'), 'app.ts', 'server.ts']
  const graph = new Map<string, string[]>()
  for (const file of files) graph.set(file, await importsOf(file))
  t.ok([...graph.values()].flat().length > 100, 'the imports are read')
  t.same(cycles(graph).map(c => c.join(' -> ')), [])
})

t.test('the cycle finder finds a cycle', async t => {
  t.same(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c', 'a']])
})

t.test('services/ knows nothing of Fastify', async t => {
  const fastify: string[] = []
  for (const file of await sources('services')) {
    const text = await readFile(join(projectRoot, file), 'utf8')
    if (/from\s+['"](fastify|@fastify\/[^'"]+|fastify-plugin)['"]/.test(text)) fastify.push(file)
  }
  t.same(fastify, [])
})
