import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import t from 'tap'
import { browserRequired, launch, noChromium, watchPolicyViolations } from './chromium.js'
import { labelledPhoto, listen } from '../helper.js'
import { projectRoot } from '../../services/common/project.js'

/*
 * Swagger UI's "Try it out" on POST /predict, as a person does it, in Debian's Chromium driven by playwright-core
 * (test/browser/chromium.ts), under the service's content security policy.
 */

const screenshotPath = join(projectRoot, 'test-output/swagger-try-it-out.png')

if (noChromium && browserRequired) t.fail(`BROWSER_TEST_REQUIRED=1 but ${noChromium}`)

t.test('Swagger UI: try out POST /predict with a real photo, and see its label', { skip: noChromium }, async t => {
  const baseUrl = await listen(t)
  const photo = await labelledPhoto()

  const { context, page } = await launch(t)
  const violations = await watchPolicyViolations(context, page)
  const requested: string[] = []
  page.on('request', request => { requested.push(`${request.method()} ${request.url()}`) })

  const op = page.locator('#operations-inference-predict')
  try {
    await page.goto(`${baseUrl}/docs`)
    await op.locator('.opblock-summary').click()
    await op.getByRole('button', { name: 'Try it out' }).click()
    await op.locator('input[type=file]').setInputFiles(photo.path)
    await op.getByRole('button', { name: 'Execute' }).click()
    await op.locator('.live-responses-table tr.response .response-col_status').first().waitFor()
  } finally {
    // Whatever happened, the page as it was: the proof when it passes, the first clue when it does not.
    await mkdir(join(projectRoot, 'test-output'), { recursive: true })
    // From POST /predict's header down to the response shown, in page coordinates (boxes are in the viewport's).
    const scrollY = Number(await page.evaluate('window.scrollY'))
    const top = await op.boundingBox()
    const bottom = await op.locator('.live-responses-table').boundingBox({ timeout: 1000 }).catch(() => null)
    const clip = top && bottom ? { x: top.x, y: top.y + scrollY, width: top.width, height: bottom.y + bottom.height - top.y + 8 } : undefined
    await page.screenshot({ path: screenshotPath, fullPage: true, clip })
  }

  const status = (await op.locator('.live-responses-table tr.response .response-col_status').first().innerText()).trim()
  const shown = JSON.parse(await op.locator('.live-responses-table tr.response .response-col_description pre').first().innerText())
  const requestUrl = (await op.locator('.request-url pre').innerText()).trim()
  const curl = await op.locator('.curl-command').innerText()
  t.comment(`Swagger UI shows: status ${status}, label ${shown.label} (probability ${shown.probability}, uncertain ${shown.uncertain}) for ${basename(photo.path)}; screenshot: ${screenshotPath}`)

  t.equal(status, '200', 'the page shows status 200')
  t.equal(shown.label, photo.label, `the page shows the label ${photo.label}`)
  t.equal(requestUrl, `${baseUrl}/predict`, 'the request went to POST /predict')
  t.match(curl, `-F 'file=@${basename(photo.path)};type=image/jpeg'`, 'as the multipart field "file"')

  const form = new FormData()
  form.append('file', new Blob([await readFile(photo.path)], { type: 'image/jpeg' }), basename(photo.path))
  const api = await (await fetch(`${baseUrl}/predict`, { method: 'POST', body: form })).json()
  t.same(shown, api, 'the page shows what the API answers for the same file')

  t.ok(requested.length > 0 && requested.every(r => r.includes(` ${baseUrl}/`) || r.includes(' data:')), 'the page fetched nothing but the service (no CDN, no network)')
  t.same(violations, [], 'no content security policy violation')
  t.ok(existsSync(screenshotPath), `screenshot saved to ${screenshotPath}`)
})

t.test('Swagger UI with API keys: Authorize, then try out POST /predict; without it, 401', { skip: noChromium }, async t => {
  const key = 'swagger-key-0123456789abcdef'
  const baseUrl = await listen(t, { API_KEYS: key })
  const photo = await labelledPhoto()
  const { context, page } = await launch(t)
  const violations = await watchPolicyViolations(context, page)
  const op = page.locator('#operations-inference-predict')
  const status = op.locator('.live-responses-table tr.response .response-col_status').first()

  await page.goto(`${baseUrl}/docs`)
  await op.locator('.opblock-summary').click()
  await op.getByRole('button', { name: 'Try it out' }).click()
  await op.locator('input[type=file]').setInputFiles(photo.path)
  await op.getByRole('button', { name: 'Execute' }).click()
  await status.waitFor()
  t.equal((await status.innerText()).trim(), '401', 'before Authorize: 401')

  await page.locator('.scheme-container button.authorize').click()
  const scheme = page.locator('.auth-container').filter({ hasText: 'apiKeyHeader' })
  await scheme.locator('input').fill(key)
  await scheme.locator('button.authorize').click()
  await page.locator('.auth-container button.btn-done').first().click()

  await op.getByRole('button', { name: 'Execute' }).click()
  await op.locator('.curl-command', { hasText: 'X-API-Key' }).waitFor()
  await op.locator('.live-responses-table tr.response .response-col_status', { hasText: '200' }).first().waitFor()
  const shown = JSON.parse(await op.locator('.live-responses-table tr.response .response-col_description pre').first().innerText())
  t.equal(shown.label, photo.label, `after Authorize: 200 and the label ${photo.label}`)
  t.match(await op.locator('.curl-command').innerText(), `-H 'X-API-Key: ${key}'`, 'the request carried the key')
  t.same(violations, [], 'no content security policy violation')
})
