import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { fixture, labelledPhoto, listen } from '../helper.js'
import { projectRoot } from '../../services/common/project.js'

const examplePath = join(projectRoot, 'sdk/examples/classify-photo.ts')

/** Runs the README's example program as a user would, with tsx: its exit code and output. */
async function runExample (baseUrl: string, photo: string) {
  const tsx = join(projectRoot, 'node_modules/.bin/tsx')
  return promisify(execFile)(tsx, [examplePath, photo], { env: { ...process.env, CLASSIFIER_URL: baseUrl }, timeout: 60_000 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (err: { code?: number, stdout: string, stderr: string }) => ({ code: err.code ?? 1, stdout: err.stdout, stderr: err.stderr }))
}

t.test('the README shows the example program as it is in sdk/examples', async t => {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8')
  const example = await readFile(examplePath, 'utf8')
  t.ok(readme.includes('```ts\n' + example + '```\n'), 'README.md has sdk/examples/classify-photo.ts verbatim in a ts block')
})

t.test('the example program uploads a photo with the SDK and prints its label; a refusal prints the code', async t => {
  const baseUrl = await listen(t)
  const photo = await labelledPhoto()
  const ok = await runExample(baseUrl, photo.path)
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, new RegExp(`^${photo.path}: ${photo.label} \\(probability 0\\.\\d{3}(, uncertain)?; model food \\S+\\)\\n$`))

  const refused = await runExample(baseUrl, fixture('images/not-an-image.txt'))
  t.equal(refused.code, 1)
  t.match(refused.stderr, /not-an-image\.txt: refused with 415 UNSUPPORTED_MEDIA_TYPE: The upload is not an image/)
})
