// Usage: CLASSIFIER_URL=http://localhost:3000 npx tsx sdk/examples/classify-photo.ts photo.jpg
import { openAsBlob } from 'node:fs'
import { ApiError, ClassifierClient } from 'food-classifier-sdk'

const client = new ClassifierClient({ baseUrl: process.env.CLASSIFIER_URL ?? 'http://localhost:3000' })
const path = process.argv[2] ?? 'photo.jpg'

try {
  const photo = await openAsBlob(path, { type: 'image/jpeg' })
  const { label, probability, uncertain, model } = await client.predict(photo)
  console.log(`${path}: ${label} (probability ${probability.toFixed(3)}${uncertain ? ', uncertain' : ''}; model ${model.name} ${model.version})`)
} catch (err) {
  if (!(err instanceof ApiError)) throw err
  console.error(`${path}: refused with ${err.status} ${err.code}: ${err.message}`)
  process.exitCode = 1
}
