import t from 'tap'
import { countSequenceFrames, readFileTypeBrands, readJpegFrameHeader, readLargestItemSize, readPngAnimation, readPngSize } from '../../../services/image/headers.js'
import { readFixture } from '../../helper.js'

const edge = (category: string, file: string) => readFixture('edge', category, file)

t.test('the JPEG frame header tells the coding process and the sample precision', async t => {
  t.match(readJpegFrameHeader(await readFixture('images', 'flower.jpg')), { sof: 0, precision: 8, width: 480, height: 320, components: 3 })
  t.match(readJpegFrameHeader(await readFixture('images', 'flower-progressive.jpg')), { sof: 2, precision: 8 })
  t.match(readJpegFrameHeader(await readFixture('images', 'flower-cmyk.jpg')), { sof: 0, components: 4 })
  t.match(readJpegFrameHeader(await edge('jpeg_variants', 'flower-arithmetic.jpg')), { sof: 9, precision: 8, width: 16, height: 12 })
  t.match(readJpegFrameHeader(await edge('jpeg_variants', 'grey-12bit.jpg')), { sof: 1, precision: 12, width: 8, height: 8, components: 1 })
  t.match(readJpegFrameHeader(await edge('jpeg_variants', 'gradient-lossless.jpg')), { sof: 3, precision: 8 })
  t.match(readJpegFrameHeader(await edge('huge_or_bomb', 'header-65500x65500.jpg')), { width: 65500, height: 65500 })
  t.equal(readJpegFrameHeader(await readFixture('images', 'flower.png')), undefined, 'not a JPEG')
  t.equal(readJpegFrameHeader(Buffer.from([0xff, 0xd8, 0x00, 0x09, 0xff, 0xe1])), undefined, 'a damaged marker: left to the decoder')
  t.equal(readJpegFrameHeader((await readFixture('images', 'flower.jpg')).subarray(0, 100)), undefined, 'cut before the frame header')
})

t.test('an APNG is told by its acTL chunk, and whether its default image is the first frame', async t => {
  t.same(readPngAnimation(await edge('animated', 'flower-animated.png')), { frames: 2, defaultImageIsFirstFrame: true })
  t.same(readPngAnimation(await edge('animated', 'flower-animated-still-fallback.png')), { frames: 2, defaultImageIsFirstFrame: false })
  t.same(readPngAnimation(await edge('animated', 'golang-github-gabriel-vasile-mimetype-dev__apng.png')), { frames: 20, defaultImageIsFirstFrame: true })
  t.equal(readPngAnimation(await readFixture('images', 'flower.png')), undefined, 'a still PNG')
})

t.test('a PNG declares its size in its IHDR chunk, read before libvips sees the file', async t => {
  t.same(readPngSize(await readFixture('images', 'flower.png')), { width: 480, height: 320 })
  t.same(readPngSize(await edge('huge_or_bomb', 'header-100000x100000.png')), { width: 100000, height: 100000 })
  t.equal(readPngSize((await readFixture('images', 'flower.png')).subarray(0, 20)), undefined, 'cut inside the IHDR chunk')
  t.equal(readPngSize(await readFixture('images', 'flower.jpg')), undefined, 'not a PNG')
})

t.test('ISO-BMFF brands and the frame count of an AVIF sequence', async t => {
  t.same(readFileTypeBrands(await readFixture('images', 'flower.avif'))?.major, 'avif')
  t.same(readFileTypeBrands(await readFixture('images', 'flower.heic'))?.major, 'heic')
  const sequence = await edge('animated', 'flower-animated.avif')
  t.match(readFileTypeBrands(sequence), { major: 'avis', compatible: ['avif', 'avis', 'msf1', 'iso8', 'mif1', 'miaf', 'MA1A'] })
  t.equal(countSequenceFrames(sequence), 2)
  t.equal(countSequenceFrames(await readFixture('images', 'flower.avif')), undefined, 'a still AVIF has no track')
  t.equal(readFileTypeBrands(await readFixture('images', 'flower.jpg')), undefined)
  t.same(readLargestItemSize(await readFixture('images', 'flower.avif')), { width: 480, height: 320 }, 'the ispe of the primary item')
  t.same(readLargestItemSize(await edge('huge_or_bomb', 'slow-5000x5000.avif')), { width: 5000, height: 5000 })
  t.same(readLargestItemSize(sequence), { width: 96, height: 64 })
})

t.test('cut short, a header reads as in the whole file or not at all; mutated, it never throws', async t => {
  const seeds = await Promise.all([
    readFixture('images', 'flower.jpg'), readFixture('images', 'flower-progressive.jpg'), edge('animated', 'flower-animated.png'), edge('animated', 'flower-animated.avif')
  ])
  const readers = { readJpegFrameHeader, readPngAnimation, readFileTypeBrands, countSequenceFrames, readLargestItemSize }
  let state = 12345
  const random = (n: number): number => { state = (state * 1103515245 + 12345) >>> 0; return state % n }
  let inconsistent = 0
  let reads = 0
  for (const seed of seeds) {
    const whole = Object.values(readers).map(read => JSON.stringify(read(seed)))
    for (let i = 0; i < 300; i++) {
      const cut = seed.subarray(0, random(Math.min(seed.length, 2048)) + 1)
      Object.values(readers).forEach((read, r) => {
        const part = read(cut)
        if (part !== undefined && JSON.stringify(part) !== whole[r] && read !== readFileTypeBrands) inconsistent++
        reads++
      })
      const mutated = Buffer.from(cut)
      for (let k = 0; k < 4; k++) mutated[random(mutated.length)] = random(256)
      for (const read of Object.values(readers)) { read(mutated); reads++ }
    }
  }
  t.equal(reads, 4 * 300 * 10)
  t.equal(inconsistent, 0, 'a truncated header never reads as something else than the whole one')
})
