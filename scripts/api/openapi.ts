/**
 * Writes openapi.yaml from the route schemas, as the service serves it at /docs/json with the default config.
 * Usage: npm run openapi            (write)
 *        npm run openapi -- --check (exit 1 if openapi.yaml is out of date)
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify from 'fastify'
import app, { options } from '../../app.js'
import { projectRoot } from '../../services/common/project.js'

export async function generateOpenApi (): Promise<string> {
  const server = Fastify({ ...options, logger: false })
  // Defaults only, so the document does not depend on the shell that generated it.
  await server.register(app, { env: { INFERENCE_BACKEND: 'wasm' } })
  await server.ready()
  try {
    return server.swagger({ yaml: true })
  } finally {
    await server.close()
  }
}

export const openApiPath = join(projectRoot, 'openapi.yaml')

if (import.meta.url === `file://${process.argv[1]}`) {
  const spec = await generateOpenApi()
  if (process.argv.includes('--check')) {
    const current = await readFile(openApiPath, 'utf8').catch(() => '')
    if (current !== spec) {
      console.error('openapi.yaml is out of date: run npm run openapi')
      process.exit(1)
    }
    console.log('openapi.yaml is up to date')
  } else {
    await writeFile(openApiPath, spec)
    console.log(`wrote ${openApiPath}`)
  }
}
