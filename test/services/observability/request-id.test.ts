import t from 'tap'
import { requestIdFrom } from '../../../services/observability/request-id.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('a sane client id is kept', async t => {
  for (const id of ['abc-123', '0af7651916cd43dd8448eb211c80319c', 'req_01HZX3:shard/7+a=b@c.d']) t.equal(requestIdFrom(id), id)
  t.equal(requestIdFrom(['first-id', 'second-id']), 'first-id')
})

t.test('a missing, empty, overlong or unsafe id is replaced by a new UUID', async t => {
  for (const id of [undefined, '', 'x'.repeat(129), 'two words', 'a"b', 'line\nbreak', '{"level":60}', 'id, other-id']) {
    t.match(requestIdFrom(id), UUID, JSON.stringify(id))
  }
  t.not(requestIdFrom(undefined), requestIdFrom(undefined), 'each generated id is new')
})
