import t from 'tap'
import { loadPage, prefersHtml } from '../../../services/protocols/page.js'

t.test('prefersHtml: browsers get the page, API clients and ties the JSON', async t => {
  const cases: Array<[string | undefined, boolean]> = [
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['application/json;q=0.5, text/html', true],
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['application/json, text/plain, */*', false],
    ['text/html, application/json', false],
    ['text/html, */*', false],
    ['text/html;q=0, */*', false],
    ['text/*', false],
    ['text/html;q=0.5, application/*', false],
    ['text/html;q=abc', false]
  ]
  for (const [accept, html] of cases) t.equal(prefersHtml(accept), html, `Accept: ${accept}`)
})

t.test('the page escapes what it shows', async t => {
  const render = await loadPage()
  const html = render({ name: 'x<script>', version: '1"2', model: { name: 'm&m', version: '1', labels: ['<a>', 'b'] }, backend: 'wasm', docs: true, keyRequired: false })
  t.match(html, 'x&lt;script&gt;')
  t.match(html, '1&quot;2')
  t.match(html, 'm&amp;m')
  t.match(html, '&lt;a&gt; / b')
  t.notMatch(html, '{{', 'every placeholder is filled')
})
