import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import ts from 'typescript'
import { fixture } from '../helper.js'
import { projectRoot } from '../../services/common/project.js'

const config = ts.getParsedCommandLineOfConfigFile(join(projectRoot, 'sdk/tsconfig.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) }
})!

let previous: ts.Program | undefined

/** Type-checks the SDK and its examples (sdk/tsconfig.json) with more files, as `tsc -p sdk` would: the errors. */
function typecheck (...files: string[]): string[] {
  const program = ts.createProgram({ rootNames: [...config.fileNames, ...files], options: config.options, oldProgram: previous })
  previous = program
  return ts.getPreEmitDiagnostics(program).map(d => {
    const where = d.file ? `${d.file.fileName.replace(projectRoot + '/', '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : ''
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}

t.test('the SDK, its example program, and typed uses of it compile; the misuses marked @ts-expect-error do not', async t => {
  t.ok(config.fileNames.some(f => f.endsWith('sdk/src/index.ts')))
  t.ok(config.fileNames.some(f => f.endsWith('sdk/examples/classify-photo.ts')))
  t.same(typecheck(fixture('sdk/typed-errors.ts')), [])
})

t.test('an error code the spec does not list is a type error', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'sdk-types-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'bad.ts')
  await writeFile(file, `import type { ErrorCode } from '${join(projectRoot, 'sdk/src/index.js')}'\nexport const code: ErrorCode = 'NO_SUCH_CODE'\n`)
  const errors = typecheck(file)
  t.equal(errors.length, 1)
  t.match(errors[0], /bad\.ts:2 Type '"NO_SUCH_CODE"' is not assignable to type/)
})
