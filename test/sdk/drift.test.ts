import { readFile } from 'node:fs/promises'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { openApiPath } from '../../scripts/api/openapi.js'
import { generateSdkTypes, sdkTypesPath } from '../../scripts/api/sdk.js'

t.test('sdk/src/schema.d.ts is what openapi-typescript generates from openapi.yaml (run npm run sdk when this fails)', async t => {
  const spec = await readFile(openApiPath, 'utf8')
  t.equal(await readFile(sdkTypesPath, 'utf8'), await generateSdkTypes(spec))
})

t.test('a change to the spec changes the generated types, so the comparison above can fail', async t => {
  const spec = parse(await readFile(openApiPath, 'utf8'))
  spec.components.schemas.Error.properties.code.enum.push('A_NEW_CODE')
  spec.paths['/predict'].post.parameters.push({ in: 'query', name: 'threshold', required: false, schema: { type: 'number' } })
  const types = await generateSdkTypes(stringify(spec))
  t.not(types, await readFile(sdkTypesPath, 'utf8'))
  t.match(types, /code: "[A-Z_]+"( \| "[A-Z_]+")* \| "A_NEW_CODE";/)
  t.match(types, /threshold\?: number/)
})

t.test('uploads are typed as Blobs: the multipart field "file" and the raw bodies', async t => {
  const types = await readFile(sdkTypesPath, 'utf8')
  t.match(types, /"multipart\/form-data": \{[^}]*file: Blob;/)
  t.match(types, /"application\/octet-stream": Blob;/)
  t.match(types, /"image\/\*": Blob;/)
})
