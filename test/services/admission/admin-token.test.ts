import t from 'tap'
import { checkAdminToken } from '../../../services/admission/admin-token.js'

const TOKEN = 'a-long-enough-admin-token'

t.test('the admin token: off without one, 401 without a Bearer credential, 403 with a wrong one', async t => {
  t.throws(() => checkAdminToken(`Bearer ${TOKEN}`, undefined), { statusCode: 403, code: 'FORBIDDEN', message: /off: set ADMIN_TOKEN/ })
  for (const header of [undefined, '', 'Bearer', `Basic ${TOKEN}`, TOKEN]) {
    t.throws(() => checkAdminToken(header, TOKEN), { statusCode: 401, code: 'UNAUTHORIZED' }, String(header))
  }
  for (const header of ['Bearer x', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}${TOKEN}`, `Bearer ${TOKEN.toUpperCase()}`]) {
    t.throws(() => checkAdminToken(header, TOKEN), { statusCode: 403, code: 'FORBIDDEN', message: 'The admin token is wrong.' }, header)
  }
  t.doesNotThrow(() => checkAdminToken(`Bearer ${TOKEN}`, TOKEN))
  t.doesNotThrow(() => checkAdminToken(`bearer  ${TOKEN} `, TOKEN), 'the scheme is case-insensitive')
})
