// The page for people at /: pick, drop or take a photo; it is sent to POST /predict as the multipart field "file",
// and the answer is shown as a label, a bar per label, the uncertain flag, warnings and the time the service took.
const $ = (id) => document.getElementById(id)

const keyRequired = document.body.dataset.keyRequired === 'true'
const keyInput = $('api-key')
if (keyRequired) {
  $('key-field').hidden = false
  keyInput.value = sessionStorage.getItem('apiKey') ?? ''
  keyInput.addEventListener('change', () => sessionStorage.setItem('apiKey', keyInput.value.trim()))
}

let previewUrl

function show (section) {
  for (const id of ['result', 'error']) $(id).hidden = id !== section
}

function percent (p) {
  return `${(p * 100).toFixed(1)}%`
}

/** `decode;dur=3.1, queue;dur=0.4, infer;dur=41.0, total;dur=47.2` as { decode: 3.1, ..., total: 47.2 }. */
function serverTiming (header) {
  const stages = {}
  for (const entry of (header ?? '').split(',')) {
    const match = /^\s*([\w-]+)\s*;.*dur=([\d.]+)/.exec(entry)
    if (match) stages[match[1]] = Number(match[2])
  }
  return stages
}

function render (answer, timing) {
  $('label').textContent = answer.label
  $('label').dataset.label = answer.label
  $('probability').textContent = percent(answer.probability)
  $('uncertain').hidden = !answer.uncertain
  const bars = $('bars')
  bars.replaceChildren(...answer.predictions.map(({ label, probability }) => {
    const li = document.createElement('li')
    li.dataset.label = label
    li.dataset.probability = String(probability)
    const name = document.createElement('span')
    name.className = 'name'
    name.textContent = label
    const track = document.createElement('span')
    track.className = 'track'
    const fill = document.createElement('span')
    fill.className = 'fill'
    fill.style.width = percent(probability)
    track.append(fill)
    const value = document.createElement('span')
    value.className = 'value'
    value.textContent = percent(probability)
    li.append(name, track, value)
    return li
  }))
  $('warnings').replaceChildren(...answer.warnings.map(warning => {
    const li = document.createElement('li')
    li.textContent = warning
    return li
  }))
  $('service-ms').textContent = timing.total?.toFixed(1) ?? '?'
  const stages = ['decode', 'queue', 'infer'].filter(s => timing[s] !== undefined).map(s => `${s} ${timing[s].toFixed(1)}`)
  $('stages').textContent = stages.length ? ` (${stages.join(', ')})` : ''
  $('json').textContent = JSON.stringify(answer, null, 2)
  show('result')
}

function renderError (status, body) {
  const box = $('error')
  box.replaceChildren()
  const title = document.createElement('strong')
  title.textContent = body?.code ? `${status} ${body.code}` : `${status}`
  const message = document.createElement('p')
  message.textContent = body?.message ?? 'The service did not answer with JSON.'
  box.append(title, message)
  box.dataset.code = body?.code ?? ''
  show('error')
}

async function classify (file) {
  if (!file) return
  if (previewUrl) URL.revokeObjectURL(previewUrl)
  previewUrl = URL.createObjectURL(file)
  $('preview').src = previewUrl
  $('preview').hidden = false
  $('drop-hint').hidden = true
  $('status').textContent = `Asking the model about ${file.name || 'the photo'}…`
  document.body.dataset.state = 'busy'
  const form = new FormData()
  form.append('file', file, file.name || 'photo')
  const headers = {}
  const key = keyInput.value.trim()
  if (key) headers['X-API-Key'] = key
  try {
    const response = await fetch('predict', { method: 'POST', body: form, headers })
    const body = await response.json().catch(() => undefined)
    if (response.ok) render(body, serverTiming(response.headers.get('server-timing')))
    else renderError(response.status, body)
    $('status').textContent = ''
  } catch (err) {
    renderError('No answer', { message: `The service could not be reached (${err.message}).` })
    $('status').textContent = ''
  } finally {
    document.body.dataset.state = 'done'
  }
}

for (const id of ['file', 'camera']) {
  $(id).addEventListener('change', (event) => {
    classify(event.target.files[0])
    event.target.value = ''
  })
}

const zone = $('drop-zone')
zone.addEventListener('dragover', (event) => {
  event.preventDefault()
  zone.classList.add('dragging')
})
zone.addEventListener('dragleave', () => zone.classList.remove('dragging'))
zone.addEventListener('drop', (event) => {
  event.preventDefault()
  zone.classList.remove('dragging')
  classify(event.dataTransfer.files[0])
})
