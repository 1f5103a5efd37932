import t from 'tap'
import { build, imageFile, readFixture } from '../helper.js'

function sample (text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find(l => l.startsWith(name + '{') && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

t.test('RESPONSE_CACHE_ENTRIES: a repeated photo is answered from the cache, without a decode or an inference', async t => {
  const app = await build(t, { RESPONSE_CACHE_ENTRIES: '8' })
  let decodes = 0
  const preprocess = app.images.preprocess
  app.images.preprocess = async (buf, spec) => { decodes++; return preprocess(buf, spec) }
  const photo = await readFixture('images', 'flower-alpha.png')
  const first = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo, 'a.png', 'image/png') })
  t.equal(first.statusCode, 200)
  t.match(first.headers['server-timing'], /cache;desc=miss, decode;dur=/)
  const again = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo, 'b.png', 'image/png') })
  t.equal(again.statusCode, 200)
  t.equal(decodes, 1, 'decoded once')
  t.match(again.headers['server-timing'], /^model;desc="food\/1 [^"]+", cache;desc=hit, total;dur=/, 'no decode, queue or infer stage')
  t.same(again.json(), first.json(), 'the same answer, warnings included')
  t.match(again.json(), { warnings: ['alpha flattened onto white'] })

  const top1 = await app.inject({ method: 'POST', url: '/predict?topK=1', ...imageFile(photo, 'c.png', 'image/png') })
  t.equal(top1.json().predictions.length, 1, 'topK applies to a cached answer')
  t.equal(decodes, 1)

  // V2 over the same cache: the same bytes, the same model version.
  const v2 = await app.inject({ method: 'POST', url: '/v2/models/food/infer', payload: { inputs: [{ name: 'image', shape: [1], datatype: 'BYTES', data: [photo.toString('base64')] }] } })
  t.equal(v2.statusCode, 200)
  t.match(v2.headers['server-timing'], /cache;desc=hit/)
  t.equal(v2.json().outputs[0].data[0], first.json().predictions.find((p: { label: string }) => p.label === 'food').probability)

  const other = await app.inject({ method: 'POST', url: '/predict', ...imageFile(await readFixture('images', 'flower.jpg')) })
  t.match(other.headers['server-timing'], /cache;desc=miss/, 'other bytes miss')
  t.equal(decodes, 2)

  const { name, version } = app.models.default
  const metrics = (await app.inject('/metrics')).body
  t.equal(sample(metrics, 'response_cache_lookups_total', { model: name, version, result: 'hit' }), 3)
  t.equal(sample(metrics, 'response_cache_lookups_total', { model: name, version, result: 'miss' }), 2)
  t.match(metrics, /\nresponse_cache_entries 2\n/)
  t.equal(sample(metrics, 'prediction_top_probability_count', { model: name, version }), 5, 'cached answers count as answers')

  // Unloading the version takes its answers with it; loaded again, the photo is decoded again.
  await app.models.unload(name)
  t.equal(app.inference.cache?.size, 0, 'the released version\'s entries are gone')
  await app.models.load(name)
  const reloaded = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo, 'a.png', 'image/png') })
  t.match(reloaded.headers['server-timing'], /cache;desc=miss/)
  t.equal(decodes, 3)
})

t.test('the cache is off by default: no cache mark, every photo decoded', async t => {
  const app = await build(t)
  t.equal(app.inference.cache, undefined)
  const photo = await readFixture('images', 'flower.jpg')
  for (let i = 0; i < 2; i++) {
    const res = await app.inject({ method: 'POST', url: '/predict', ...imageFile(photo) })
    t.notMatch(res.headers['server-timing'], /cache/)
    t.match(res.headers['server-timing'], /decode;dur=/)
  }
})
