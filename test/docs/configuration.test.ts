/**
 * docs/configuration.md against the one config schema (services/common/config.ts): every variable the service reads
 * has a row, every row names a variable it reads, and a default written as a plain value is the schema's default.
 */
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import t from 'tap'
import { ConfigSchema } from '../../services/common/config.js'
import { projectRoot } from '../../services/common/project.js'

const page = await readFile(join(projectRoot, 'docs/configuration.md'), 'utf8')
const properties = ConfigSchema.properties as Record<string, { default?: unknown }>

/** The table rows: | `NAME` | default | meaning |. */
const rows = [...page.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)].map(([, name, cell]) => ({ name, cell: cell.trim() }))

/** The default as the page writes it: a project path relative to the project, the temp directory as $TMPDIR. */
function written (value: unknown): string {
  if (value === undefined) return '(unset)'
  if (value === '') return '(empty)'
  const text = String(value)
  if (isAbsolute(text) && !relative(projectRoot, text).startsWith('..')) return relative(projectRoot, text)
  if (text.startsWith(tmpdir() + '/')) return `$TMPDIR/${text.slice(tmpdir().length + 1)}`
  return text
}

t.test('every variable of the schema has one row, and every row is a variable of the schema', async t => {
  const names = rows.map(row => row.name)
  t.same(Object.keys(properties).filter(name => !names.includes(name)), [], 'no variable left out')
  t.same(names.filter(name => !(name in properties)), [], 'no variable the service does not read')
  t.same(names.filter((name, i) => names.indexOf(name) !== i), [], 'none twice')
})

t.test('every default the page writes is the schema default', async t => {
  for (const { name, cell } of rows.filter(row => row.name in properties)) {
    t.equal(cell.replace(/`/g, ''), written(properties[name].default), name)
  }
})
