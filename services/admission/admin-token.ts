import { createHash, timingSafeEqual } from 'node:crypto'
import { ErrorCodes, ServiceError } from '../common/errors.js'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Checks an Authorization header against the admin token: 403 when no token is configured (the endpoints are
 * off), 401 without a Bearer credential, 403 with a wrong one. The comparison runs in constant time on digests,
 * so neither the token's bytes nor its length leak through timing.
 */
export function checkAdminToken (authorization: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    throw new ServiceError(ErrorCodes.FORBIDDEN, 403, 'Repository control is off: set ADMIN_TOKEN to turn it on.')
  }
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '')
  if (match === null) {
    throw new ServiceError(ErrorCodes.UNAUTHORIZED, 401, 'Repository control needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>.')
  }
  if (!timingSafeEqual(digest(match[1]), digest(token))) {
    throw new ServiceError(ErrorCodes.FORBIDDEN, 403, 'The admin token is wrong.')
  }
}
