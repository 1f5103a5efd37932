import { createHash, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingHttpHeaders } from 'node:http'
import { ConfigError, keyProblems, parseList, type Config } from '../common/config.js'
import { unauthorized } from '../common/errors.js'

const digest = (key: string): Buffer => createHash('sha256').update(key).digest()

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
export function presentedKey (headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '')
  if (match) return match[1]
  const header = headers['x-api-key']
  const value = Array.isArray(header) ? header[0] : header
  return value?.trim() || undefined
}

/**
 * The configured API keys, held only as SHA-256 digests. A presented key is compared with every one of them in
 * constant time (equal-length digests, timingSafeEqual, no early exit), so neither a key's content nor its position
 * shows in the response time.
 */
export class ApiKeys {
  readonly #digests: Buffer[]

  constructor (keys: string[]) {
    this.#digests = [...new Set(keys)].map(digest)
  }

  get size (): number {
    return this.#digests.length
  }

  /** `key-<n>` (1-based, in configuration order) for a valid key: what logs and rate limits name. Never the key. */
  identify (headers: IncomingHttpHeaders): string | undefined {
    const key = presentedKey(headers)
    if (key === undefined) return undefined
    const presented = digest(key)
    let found = -1
    for (let i = 0; i < this.#digests.length; i++) {
      if (timingSafeEqual(presented, this.#digests[i] as Buffer) && found === -1) found = i
    }
    return found === -1 ? undefined : `key-${found + 1}`
  }

  /** The key's id, or a 401 UNAUTHORIZED saying what is missing. */
  authenticate (headers: IncomingHttpHeaders): string {
    const id = this.identify(headers)
    if (id !== undefined) return id
    throw presentedKey(headers) === undefined
      ? unauthorized('An API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".')
      : unauthorized('The API key is not valid.')
  }
}

/** Keys from API_KEYS and API_KEYS_FILE; null when neither holds one (the API is open). */
export async function loadApiKeys (config: Pick<Config, 'API_KEYS' | 'API_KEYS_FILE'>): Promise<ApiKeys | null> {
  const keys = parseList(config.API_KEYS)
  if (config.API_KEYS_FILE !== '') {
    let text: string
    try {
      text = await readFile(config.API_KEYS_FILE, 'utf8')
    } catch (err) {
      throw new ConfigError([`API_KEYS_FILE=${JSON.stringify(config.API_KEYS_FILE)} cannot be read: ${(err as Error).message}`])
    }
    const fileKeys = text.split(/\r?\n/).map(line => line.trim()).filter(line => line !== '' && !line.startsWith('#'))
    const problems = keyProblems(`API_KEYS_FILE (${config.API_KEYS_FILE})`, fileKeys)
    if (problems.length > 0) throw new ConfigError(problems)
    if (fileKeys.length === 0) throw new ConfigError([`API_KEYS_FILE=${JSON.stringify(config.API_KEYS_FILE)} holds no key: one key per line`])
    keys.push(...fileKeys)
  }
  return keys.length > 0 ? new ApiKeys(keys) : null
}
