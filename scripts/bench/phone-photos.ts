import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { projectRoot } from '../../services/common/project.js'

/**
 * 12 MP phone-camera-like JPEGs (4032x3024, 4:2:0, quality 92, sensor-like grain, every other one in portrait
 * with EXIF orientation 6 as phones write it), made from committed real photos: upscaled with lanczos, then noise
 * added so the file is as large and as costly to decode as a phone's (2-4 MB). Deterministic (seeded noise), made
 * once into bench/phone-photos/ (ignored by git).
 */
const SOURCES = ['food/qtdeclarative__pancakes.jpg', 'not_food/skimage__chelsea.jpg', 'food/scribus__pizza.jpg', 'not_food/skimage__astronaut.jpg']
export const PHONE_DIR = join(projectRoot, 'bench/phone-photos')
const WIDTH = 4032
const HEIGHT = 3024

async function makePhonePhoto (source: string, seed: number, portrait: boolean): Promise<Buffer> {
  const { data, info } = await sharp(await readFile(join(projectRoot, 'test/fixtures/photos', source)))
    .resize(WIDTH, HEIGHT, { fit: 'cover', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  let state = seed >>> 0
  for (let i = 0; i < data.length; i++) {
    // xorshift32; the sum of two uniforms gives a triangular grain of +-12 levels.
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0
    const noise = ((state & 0xff) + ((state >>> 8) & 0xff)) / 255 - 1
    const v = data[i] + noise * 12
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  let image = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
  // A portrait shot is stored landscape with orientation 6 (rotate 90 degrees clockwise to view), as phones do.
  if (portrait) image = image.withMetadata({ orientation: 6 })
  return image.jpeg({ quality: 92, chromaSubsampling: '4:2:0' }).toBuffer()
}

export async function phonePhotos (): Promise<Array<{ name: string, bytes: Buffer }>> {
  await mkdir(PHONE_DIR, { recursive: true })
  const out: Array<{ name: string, bytes: Buffer }> = []
  for (const [i, source] of SOURCES.entries()) {
    const name = `phone-12mp-${i + 1}-${source.split('/')[1].replace(/\.jpg$/, '')}.jpg`
    const file = join(PHONE_DIR, name)
    const exists = await stat(file).then(s => s.size > 0, () => false)
    if (!exists) await writeFile(file, await makePhonePhoto(source, 0x9e3779b9 + i, i % 2 === 1))
    out.push({ name, bytes: await readFile(file) })
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const p of await phonePhotos()) {
    const meta = await sharp(p.bytes).metadata()
    console.log(`${p.name}: ${(p.bytes.length / 2 ** 20).toFixed(2)} MiB, ${meta.width}x${meta.height}, orientation ${meta.orientation ?? 1}`)
  }
}
