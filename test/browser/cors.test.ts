import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, join } from 'node:path'
import ts from 'typescript'
import t, { type Test } from 'tap'
import { browserRequired, launch, noChromium } from './chromium.js'
import { labelledPhoto, listen } from '../helper.js'
import { projectRoot } from '../../services/common/project.js'

/*
 * A web app on another origin calls POST /predict through the generated SDK, in Chromium: from an origin in
 * CORS_ORIGINS it gets the answer; from another loopback origin the browser refuses it.
 */

if (noChromium && browserRequired) t.fail(`BROWSER_TEST_REQUIRED=1 but ${noChromium}`)

/** The SDK as browser modules: sdk/src/index.ts and the retry module it imports transpiled, openapi-fetch's ESM build beside them. */
async function sdkFiles (): Promise<Record<string, string>> {
  const transpile = async (file: string): Promise<string> => ts.transpileModule(await readFile(join(projectRoot, 'sdk/src', file), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText
  const openapiFetch = await readFile(join(projectRoot, 'node_modules/openapi-fetch/dist/index.mjs'), 'utf8')
  return { '/sdk.js': await transpile('index.ts'), '/retry.js': await transpile('retry.ts'), '/openapi-fetch.js': openapiFetch }
}

const APP_PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>A web app</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "openapi-fetch": "/openapi-fetch.js" } }</script>
<script type="module">
  import { ClassifierClient } from '/sdk.js'
  window.classify = async (baseUrl, options) => {
    const photo = await (await fetch('/photo.jpg')).blob()
    const file = new File([photo], 'photo.jpg', { type: 'image/jpeg' })
    try {
      // No retries: each call is one request, so the service's counts below say what the browser let through.
      return { ok: true, result: await new ClassifierClient({ baseUrl, retry: false }).predict(file, options) }
    } catch (err) {
      return { ok: false, name: err.name, message: err.message }
    }
  }
  document.title = 'ready'
</script></head><body>A web app on its own origin</body></html>`

/** A web app served from its own loopback port: the page, the SDK and a photo. */
async function serveApp (t: Test, photoPath: string): Promise<string> {
  const files: Record<string, [string | Buffer, string]> = { '/': [APP_PAGE, 'text/html'], '/photo.jpg': [await readFile(photoPath), 'image/jpeg'] }
  for (const [path, text] of Object.entries(await sdkFiles())) files[path] = [text, 'text/javascript']
  const server: Server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[1] }).end(file[0])
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('a page on another origin calls /predict through the SDK: allowed origin works, another is refused', { skip: noChromium }, async t => {
  const photo = await labelledPhoto()
  const allowedOrigin = await serveApp(t, photo.path)
  const otherOrigin = await serveApp(t, photo.path)
  const serviceUrl = await listen(t, { CORS_ORIGINS: allowedOrigin })
  t.not(allowedOrigin, serviceUrl)

  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(await readFile(photo.path))], { type: 'image/jpeg' }), basename(photo.path))
  const api = await (await fetch(`${serviceUrl}/predict`, { method: 'POST', body: form })).json()

  const { page } = await launch(t)
  const consoleErrors: string[] = []
  page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()) })
  /** POST /predict requests the service answered, from its own metrics. */
  const predictions = async () => {
    const text = await (await fetch(`${serviceUrl}/metrics`)).text()
    return [...text.matchAll(/^http_requests_total\{[^}]*method="POST"[^}]*route="\/predict"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
  }
  t.equal(await predictions(), 1)

  const classify = (options: Record<string, unknown>) =>
    page.evaluate(({ baseUrl, options }) => (window as unknown as { classify: (u: string, o: unknown) => Promise<Record<string, unknown>> }).classify(baseUrl, options), { baseUrl: serviceUrl, options })

  await page.goto(allowedOrigin)
  await page.waitForFunction(() => document.title === 'ready')
  const simple = await classify({})
  t.equal(simple.ok, true, `from ${allowedOrigin} (in CORS_ORIGINS): the SDK gets the answer`)
  t.same(simple.result, api, 'the API\'s answer, as from anywhere else')
  // A header the browser does not send on its own makes the call preflighted: the allowed origin passes that too.
  const preflighted = await classify({ timeoutMs: 20_000, topK: 1 })
  t.equal(preflighted.ok, true, 'with X-Request-Timeout-Ms (a preflighted call): the answer')
  t.same((preflighted.result as { predictions: unknown[] }).predictions, [(api as { predictions: unknown[] }).predictions[0]])
  t.same(consoleErrors, [], 'no error in the console')

  await page.goto(otherOrigin)
  await page.waitForFunction(() => document.title === 'ready')
  const refused = await classify({})
  t.match(refused, { ok: false, name: 'TypeError' }, `from ${otherOrigin} (not in CORS_ORIGINS): the browser refuses the answer`)
  const refusedPreflight = await classify({ timeoutMs: 20_000 })
  t.match(refusedPreflight, { ok: false, name: 'TypeError' }, 'and a preflighted call')
  t.ok(consoleErrors.some(text => text.includes(otherOrigin) && /blocked by CORS policy/.test(text)), 'the console says CORS blocked it')
  t.comment(consoleErrors.join('\n'))
  t.equal(await predictions(), 4, 'the service answered 1 + 2 + 1 calls: the refused preflight kept its POST from ever being sent')
})
