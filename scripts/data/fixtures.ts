/**
 * Regenerates test/fixtures/images/ from the CC0 flower photo of libjxl-testdata (Debian package, via the data
 * step: data/not_food/jxltest__flower.jpg). Each file exercises one decoding path of the service.
 * Usage: npx tsx scripts/data/fixtures.ts [path/to/flower.jpg]
 */
import { mkdir, writeFile, copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { projectRoot } from '../../services/common/project.js'

const source = process.argv[2] ?? join(projectRoot, 'data/not_food/jxltest__flower.jpg')
const out = join(projectRoot, 'test/fixtures/images')
await mkdir(out, { recursive: true })
const base = sharp(source).resize(480)
const jpeg = await base.clone().jpeg({ quality: 85 }).toBuffer()

await writeFile(join(out, 'flower.jpg'), jpeg)
await writeFile(join(out, 'flower-progressive.jpg'), await base.clone().jpeg({ quality: 80, progressive: true }).toBuffer())
await writeFile(join(out, 'flower.png'), await base.clone().png().toBuffer())
await writeFile(join(out, 'flower-16bit.png'), await base.clone().toColourspace('rgb16').png().toBuffer())
await writeFile(join(out, 'flower-alpha.png'), await base.clone().ensureAlpha(0.5).png().toBuffer())
await writeFile(join(out, 'flower.webp'), await base.clone().webp({ quality: 80 }).toBuffer())
await writeFile(join(out, 'flower.avif'), await base.clone().avif({ quality: 50 }).toBuffer())
await writeFile(join(out, 'flower.tiff'), await base.clone().tiff().toBuffer())
await writeFile(join(out, 'flower-grey.jpg'), await base.clone().greyscale().toColourspace('b-w').jpeg().toBuffer())
await writeFile(join(out, 'flower-cmyk.jpg'), await base.clone().toColourspace('cmyk').jpeg().toBuffer())
// Stored rotated 90 degrees counter-clockwise with EXIF orientation 6, so the upright image is the same flower.
await writeFile(join(out, 'flower-exif-orientation-6.jpg'), await sharp(jpeg).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer())
const second = await base.clone().negate().png().toBuffer()
await writeFile(join(out, 'flower-animated.gif'), await sharp([await base.clone().png().toBuffer(), second], { join: { animated: true } }).gif({ loop: 0, delay: [500, 500] }).toBuffer())
await writeFile(join(out, 'flower-truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)))
await writeFile(join(out, 'flower-tiny-16x12.jpg'), await sharp(source).resize(16, 12).jpeg().toBuffer())
await writeFile(join(out, 'not-an-image.txt'), 'This is text, not an image.\n')
const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer()
await writeFile(join(out, 'bomb-10000x10000.png'), bomb)
const heic = join(projectRoot, 'data/edge_cases/generated/flower.heic')
await copyFile(heic, join(out, 'flower.heic')).catch(() => console.warn('data/edge_cases/generated/flower.heic not found: run npm run data'))
console.log('fixtures written to', out)
