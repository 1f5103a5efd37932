/**
 * Regenerates the TypeScript SDK's types (sdk/src/schema.d.ts) with openapi-typescript, from openapi.yaml, after
 * regenerating openapi.yaml from the route schemas: one command after any change to a route.
 * Usage: npm run sdk            (write openapi.yaml and sdk/src/schema.d.ts)
 *        npm run sdk -- --check (write nothing; exit 1 if either is out of date)
 */
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { generateOpenApi, openApiPath } from './openapi.js'
import { projectRoot } from '../../services/common/project.js'

export const sdkTypesPath = join(projectRoot, 'sdk/src/schema.d.ts')

const generatorVersion: string = createRequire(import.meta.url)('openapi-typescript/package.json').version

const header = `/**
 * The service's API as TypeScript types: generated from openapi.yaml by openapi-typescript ${generatorVersion}.
 * Do not edit: run \`npm run sdk\` (a test fails when this file drifts from openapi.yaml).
 */

`

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'))

/** The SDK's types for an OpenAPI document (YAML or JSON text). */
export async function generateSdkTypes (spec: string): Promise<string> {
  const ast = await openapiTS(spec, {
    silent: true,
    // An upload (`format: binary`) is a Blob, which a File is too: what fetch and FormData send as they are.
    transform (schema) {
      if (schema.format === 'binary') return BLOB
      return undefined
    }
  })
  return header + astToString(ast)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check')
  const spec = await generateOpenApi()
  const types = await generateSdkTypes(spec)
  const outputs: Array<[string, string, string]> = [[openApiPath, spec, 'openapi.yaml'], [sdkTypesPath, types, 'sdk/src/schema.d.ts']]
  let stale = false
  for (const [path, content, name] of outputs) {
    const current = await readFile(path, 'utf8').catch(() => '')
    if (check) {
      console.log(current === content ? `${name} is up to date` : `${name} is out of date: run npm run sdk`)
      stale ||= current !== content
    } else {
      await writeFile(path, content)
      console.log(`wrote ${name}`)
    }
  }
  if (stale) process.exit(1)
}
