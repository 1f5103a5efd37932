import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import t from 'tap'
import { browserRequired, launch, noChromium, watchPolicyViolations } from './chromium.js'
import { fixture, labelledPhoto, listen } from '../helper.js'
import { projectRoot } from '../../services/common/project.js'

/*
 * The page at /, as a person uses it: open the service's address, choose a photo, read the answer. What the page
 * shows must be what POST /predict answers for the same file. Its screenshot is docs/page.png in the README.
 */

const screenshotPath = join(projectRoot, 'test-output/page.png')

if (noChromium && browserRequired) t.fail(`BROWSER_TEST_REQUIRED=1 but ${noChromium}`)

async function apiAnswer (baseUrl: string, path: string): Promise<Record<string, unknown>> {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(await readFile(path))], { type: 'image/jpeg' }), basename(path))
  return await (await fetch(`${baseUrl}/predict`, { method: 'POST', body: form })).json() as Record<string, unknown>
}

t.test('the page at /: choose a real photo, and see what the API answers', { skip: noChromium }, async t => {
  const baseUrl = await listen(t)
  const photo = await labelledPhoto()
  const { context, page } = await launch(t, { width: 820, height: 1000 })
  const violations = await watchPolicyViolations(context, page)
  const requested: string[] = []
  page.on('request', request => { requested.push(request.url()) })
  const errors: string[] = []
  page.on('pageerror', err => { errors.push(err.message) })

  const response = await page.goto(`${baseUrl}/`)
  t.match(response?.headers()['content-type'], /^text\/html/, 'a browser opening the address gets the page')
  t.equal(await page.locator('h1').innerText(), 'Is it food?')
  t.equal(await page.locator('a[href="docs"]').first().getAttribute('href'), 'docs', 'it links to the API docs')

  async function choose (path: string) {
    await page.locator('#file').setInputFiles(path)
    await page.locator('body[data-state=done]').waitFor()
    await page.locator('#result').waitFor({ state: 'visible' })
  }

  try {
    await choose(photo.path)
  } finally {
    await mkdir(join(projectRoot, 'test-output'), { recursive: true })
    await page.locator('main').screenshot({ path: screenshotPath })
  }

  const api = await apiAnswer(baseUrl, photo.path)
  const label = await page.locator('#label').innerText()
  const bars = await page.locator('#bars li').evaluateAll(items => items.map(li => ({ label: (li as HTMLElement).dataset.label, probability: Number((li as HTMLElement).dataset.probability), shown: li.querySelector('.value')?.textContent, width: (li.querySelector('.fill') as HTMLElement).style.width })))
  const uncertainShown = await page.locator('#uncertain').isVisible()
  const serviceMs = Number(await page.locator('#service-ms').innerText())
  const shownJson = JSON.parse(await page.locator('#json').textContent() ?? '')
  t.comment(`the page shows ${label} for ${basename(photo.path)}: ${bars.map(b => `${b.label} ${b.shown}`).join(', ')}, uncertain ${uncertainShown}, ${serviceMs} ms; screenshot: ${screenshotPath}`)

  t.equal(label, photo.label, `the page shows the label ${photo.label}`)
  t.equal(label, api.label, 'the label the API answers')
  t.same(bars.map(({ label, probability }) => ({ label, probability })), api.predictions, 'a bar per label, with the API\'s probabilities, most probable first')
  for (const bar of bars) {
    t.equal(bar.shown, `${(bar.probability * 100).toFixed(1)}%`, `${bar.label}: its percentage written out`)
    t.ok(Math.abs(parseFloat(bar.width) - bar.probability * 100) < 0.05 && bar.width.endsWith('%'), `${bar.label}: its bar ${bar.width} long`)
  }
  t.equal(uncertainShown, api.uncertain, 'the uncertain flag as the API says')
  t.ok(serviceMs > 0 && serviceMs < 60_000, `the time the service took: ${serviceMs} ms`)
  t.same(shownJson, api, 'the answer shown as JSON is the API\'s')
  t.ok(await page.locator('#preview').evaluate(img => (img as HTMLImageElement).naturalWidth > 0), 'the preview shows the photo')

  // A phone photo stored sideways with an EXIF orientation: the preview is upright, the warning is shown.
  const sideways = fixture('images/flower-exif-orientation-6.jpg')
  const stored = await sharp(sideways).metadata()
  await choose(sideways)
  const preview = await page.locator('#preview').evaluate(img => ({ width: (img as HTMLImageElement).naturalWidth, height: (img as HTMLImageElement).naturalHeight }))
  t.same(preview, { width: stored.height, height: stored.width }, `stored ${stored.width}x${stored.height} with orientation 6, previewed ${preview.width}x${preview.height}: rotated`)
  const warnings = await page.locator('#warnings li').allInnerTexts()
  const sidewaysApi = await apiAnswer(baseUrl, sideways)
  t.same(warnings, sidewaysApi.warnings, 'the warnings the API gives')
  t.match(warnings.join(' '), /EXIF|orientation|rotat/i)

  // Not an image: the error envelope's code and message, not a crash.
  await page.locator('#file').setInputFiles(fixture('images/not-an-image.txt'))
  await page.locator('#error').waitFor({ state: 'visible' })
  t.match(await page.locator('#error').innerText(), /415 UNSUPPORTED_MEDIA_TYPE/)

  t.same(violations, [], 'no content security policy violation')
  t.same(errors, [], 'no script error')
  t.ok(requested.length > 0 && requested.every(url => url.startsWith(`${baseUrl}/`) || url.startsWith('blob:') || url.startsWith('data:')), 'the page fetched nothing but the service (it works offline)')
  t.ok(existsSync(screenshotPath), `screenshot saved to ${screenshotPath}`)
})
