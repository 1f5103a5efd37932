import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import * as tf from '@tensorflow/tfjs'
import type { Test } from 'tap'
import app, { serverOptions, type AppOptions } from '../app.js'
import { loadConfig } from '../services/common/config.js'
import { saveToDirectory } from '../services/engines/tfjs/model-files.js'
import { computeModelDigest } from '../services/models/manifest.js'
import { projectRoot } from '../services/common/project.js'
import { probeWebGpu, type WebGpuStatus } from '../services/engines/webgpu.js'

export const fixturesDir = join(projectRoot, 'test/fixtures')

/**
 * The shipped models, with the committed photos (test/fixtures/photos) each gets wrong: a known miss is listed
 * here and in the model's card. pickedFixtures: the model that picked the training-source fixtures with a margin
 * (SOURCES.md), so they must keep that margin.
 */
export const SHIPPED_MODELS: Array<{ dir: string, name: string, knownMisses: string[], pickedFixtures: boolean }> = [
  { dir: 'model/food', name: 'food', knownMisses: ['food/based__italian-mulled-wine.jpg', 'not_food/gcompris_categorization__plate.jpg'], pickedFixtures: false },
  { dir: 'model/food-v2', name: 'food', knownMisses: ['food/skimage__coffee.jpg', 'food/based__italian-mulled-wine.jpg', 'food/based__pho-soup.jpg', 'food/based__sunday-milkshake.jpg', 'food/pdrecipes__static_pix_basic-waffles-01.jpg', 'food/platefood__datasets_train_images_1-25-.jpg', 'not_food/gcompris_categorization__plate.jpg'], pickedFixtures: false }
]
export const fixture = (...parts: string[]): string => join(fixturesDir, ...parts)
export const readFixture = (...parts: string[]): Promise<Buffer> => readFile(fixture(...parts))

/** The app exactly as server.ts builds it, configured by an explicit environment, closed at teardown. */
export async function build (t: Test, env: Record<string, string> = {}, extra: Omit<AppOptions, 'env' | 'config'> = {}): Promise<FastifyInstance> {
  // One worker keeps the suite light on a 2-core machine; tests that need more ask for them.
  const config = loadConfig({ INFERENCE_BACKEND: 'wasm', INFERENCE_WORKERS: '1', ...env })
  const server = Fastify({ ...serverOptions(config), logger: false })
  // Closed at teardown even when ready() fails: a plugin that fails after the model loaded leaves workers to stop.
  t.teardown(() => server.close())
  await server.register(app, { config, ...extra })
  await server.ready()
  return server
}

export interface TinyModelOptions {
  labels?: string[]
  size?: number
  sha256?: boolean
  manifest?: Record<string, unknown>
}

/**
 * A small real layers model (conv, pooling, dense softmax) written as a model directory with a manifest:
 * for unit tests of loading and the tensor lifecycle, where the shipped model would only add time.
 */
export async function buildTinyModel (t: Test, opts: TinyModelOptions = {}): Promise<string> {
  const labels = opts.labels ?? ['a', 'b', 'c']
  const size = opts.size ?? 32
  const dir = await mkdtemp(join(tmpdir(), 'tiny-model-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const model = tf.sequential()
  model.add(tf.layers.conv2d({ inputShape: [size, size, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }))
  model.add(tf.layers.globalAveragePooling2d({}))
  model.add(tf.layers.dense({ units: labels.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }))
  await model.save(saveToDirectory(dir))
  model.dispose()
  const manifest = {
    name: 'tiny',
    version: '0.0.1',
    description: 'A tiny test model',
    labels,
    input: { width: size, height: size, channels: 3, resizeMode: 'fill', normalization: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] } },
    outputActivation: 'none',
    uncertainThreshold: 0.5,
    ...(opts.sha256 === false ? {} : { sha256: await computeModelDigest(dir) }),
    ...opts.manifest
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2))
  return dir
}

/** A multipart/form-data body as a browser or curl -F sends it. */
export function multipart (parts: Array<{ name: string, filename?: string, contentType?: string, content: Buffer | string }>): { payload: Buffer, headers: Record<string, string> } {
  const boundary = '----test-boundary-7MA4YWxkTrZu0gW'
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`
    const type = part.contentType ? `\r\nContent-Type: ${part.contentType}` : ''
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.content), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export const imageFile = (content: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg') =>
  multipart([{ name: 'file', filename, contentType, content }])

const listening = new Map<string, FastifyInstance>()

/** The app listening on 127.0.0.1 on a free port, for clients that talk HTTP to it: its base URL. */
export async function listen (t: Test, env: Record<string, string> = {}): Promise<string> {
  const server = await build(t, env)
  await server.listen({ port: 0, host: '127.0.0.1' })
  const { port } = server.server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  listening.set(url, server)
  t.teardown(() => listening.delete(url))
  return url
}

/** A real photo whose label is known: the first food photo once the photo fixtures exist, else the flower (not food). */
export async function labelledPhoto (): Promise<{ path: string, label: string }> {
  const food = fixture('photos/food')
  const photos = await readdir(food).catch(() => [])
  const [first] = photos.filter(f => f.endsWith('.jpg')).sort()
  return first ? { path: join(food, first), label: 'food' } : { path: fixture('images/flower.jpg'), label: 'not_food' }
}

/**
 * One admission slot taken, as a request being worked on takes it (its body arrived, its answer not sent), until
 * destroy(). A slow upload no longer takes one (plugins/admission.ts), so the slot is taken on the server itself:
 * `target` is the server, or the URL listen() returned.
 */
export async function holdAdmissionSlot (target: string | FastifyInstance): Promise<{ destroy: () => void }> {
  const server = typeof target === 'string' ? listening.get(target) : target
  if (server === undefined) throw new Error(`holdAdmissionSlot: ${String(target)} is not a server listen() started`)
  if (!server.admission.tryAcquire()) throw new Error('holdAdmissionSlot: no slot free')
  let held = true
  return { destroy: () => { if (held) { held = false; server.admission.release() } } }
}

/**
 * A client that sends its headers and the start of an upload to /predict, then nothing more, until destroyed: it
 * holds a connection (and an upload in progress), not an admission slot.
 */
export async function startSlowUpload (url: string, contentLength = 100000, apiKey?: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise(resolve => socket.once('connect', resolve))
  socket.on('error', () => {})
  const auth = apiKey === undefined ? '' : `Authorization: Bearer ${apiKey}\r\n`
  socket.write(`POST /predict HTTP/1.1\r\nHost: ${hostname}\r\n${auth}Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${contentLength}\r\n\r\n--xyz\r\n`)
  return socket
}

/** A log destination for Fastify's logger that keeps every line, parsed. */
export function captureLogs (): { stream: Writable, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    }
  })
  return { stream, lines }
}

/**
 * The WebGPU tests run on whatever Vulkan adapter is here, Mesa's software lavapipe included. Where WebGPU cannot
 * run (no libvulkan1 or no driver), they skip saying why; .ci/run installs lavapipe and sets WEBGPU_TEST_REQUIRED=1,
 * so in CI that is a failure rather than a skip.
 */
export const webgpuRequired = process.env.WEBGPU_TEST_REQUIRED === '1'
let webgpuProbe: Promise<WebGpuStatus> | undefined
export async function webgpuMissing (): Promise<string | false> {
  webgpuProbe ??= probeWebGpu()
  const status = await webgpuProbe
  if (status.usable) return false
  return `WebGPU cannot run here (${status.reason ?? 'unknown'}): apt-get install libvulkan1 mesa-vulkan-drivers/bookworm-backports (bookworm's own 22.3 lavapipe is refused by Dawn)`
}
