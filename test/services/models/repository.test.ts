import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import Value from 'typebox/value'
import { ConfigSchema } from '../../../services/common/config.js'
import { ModelRepository, SingleModelSource, parseVersionPolicies, selectVersions } from '../../../services/models/repository.js'
import { projectRoot } from '../../../services/common/project.js'

t.test('the shipped model directory is a repository: each flat model directory is version 1', async t => {
  const repository = new ModelRepository(join(projectRoot, 'model'))
  t.same(await repository.scan(), [
    { name: 'food', versions: [{ version: 1, directory: join(projectRoot, 'model/food') }] },
    { name: 'food-v2', versions: [{ version: 1, directory: join(projectRoot, 'model/food-v2') }] }
  ])
  t.equal(await repository.find('dogs'), undefined)
  t.equal(await repository.find('../model'), undefined, 'a name is a directory name, never a path')
})

t.test('<name>/<version>/ directories are versions; other entries are ignored', async t => {
  const root = await mkdtemp(join(tmpdir(), 'repository-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'food'))
  await symlink(join(projectRoot, 'model/food-v2'), join(root, 'food/1'))
  await symlink(join(projectRoot, 'model/food'), join(root, 'food/10'))
  await mkdir(join(root, 'food/2'))
  await writeFile(join(root, 'food/README'), 'notes')
  await mkdir(join(root, 'food/v3'))
  await mkdir(join(root, 'empty'))
  const repository = new ModelRepository(root)
  t.same(await repository.scan(), [{ name: 'food', versions: [{ version: 1, directory: join(root, 'food/1') }, { version: 10, directory: join(root, 'food/10') }] }],
    'version 2 has no manifest, v3 is not a number, empty has no versions')
  await t.rejects(new ModelRepository(join(root, 'nowhere')).scan(), { message: /Cannot read the model repository .*nowhere: ENOENT/ })
})

t.test('MODEL_DIR serves one directory, named by its manifest', async t => {
  t.same(await new SingleModelSource(join(projectRoot, 'model/food-v2')).scan(), [{ name: 'food', versions: [{ version: 1, directory: join(projectRoot, 'model/food-v2') }] }])
})

t.test('version policies: latest, latest:N, all, specific, per model', async t => {
  const available = [1, 3, 7]
  const policies = parseVersionPolicies('latest food=all other=specific:1,7 third=latest:2')
  t.same(selectVersions(available, policies.fallback), [7])
  t.same(selectVersions(available, policies.byModel.get('food')!), [1, 3, 7])
  t.same(selectVersions(available, policies.byModel.get('other')!), [1, 7])
  t.same(selectVersions(available, policies.byModel.get('third')!), [3, 7])
  t.same(selectVersions(available, { kind: 'specific', versions: [2] }), [], 'a version not on disk is not served')
  for (const good of ['latest', 'latest:3', 'all', 'specific:2', 'food=all latest', '  food-v2=latest:2  ']) {
    t.ok(Value.Check(ConfigSchema.properties.VERSION_POLICY, good), good)
  }
  for (const bad of ['newest', 'latest:0', 'specific:', 'specific:a', 'food=', '=all']) {
    t.notOk(Value.Check(ConfigSchema.properties.VERSION_POLICY, bad), bad)
  }
})
