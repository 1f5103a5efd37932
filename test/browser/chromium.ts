import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/*
 * Debian's Chromium driven by playwright-core (which downloads no browser), for the browser tests. They are skipped,
 * saying why, where there is no Chromium; .ci/run installs one and sets BROWSER_TEST_REQUIRED=1, so in CI a missing
 * browser is a failure rather than a skip.
 */

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const browserRequired = process.env.BROWSER_TEST_REQUIRED === '1'
export const noChromium: string | false = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH`

// A closed network: no background requests, no QUIC; headless without a sandbox, as in a container.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'
]

/** A fresh headless Chromium profile, closed and removed at teardown. */
export async function launch (t: Test, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext, page: Page }> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, viewport })
  t.teardown(async () => {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  })
  context.setDefaultTimeout(20_000)
  const page = context.pages()[0] ?? await context.newPage()
  return { context, page }
}

/**
 * Every content security policy violation a page reports, from its securitypolicyviolation events (the script that
 * listens is injected by the browser driver, so the policy does not apply to it) and from the console.
 */
export async function watchPolicyViolations (context: BrowserContext, page: Page): Promise<string[]> {
  const violations: string[] = []
  await context.exposeFunction('reportViolation', (text: string) => { violations.push(text) })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`)
    })
  })
  page.on('console', message => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  return violations
}
