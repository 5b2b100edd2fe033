import { chromium, type Browser } from 'playwright-core'
import Chromium from '@sparticuz/chromium'

/**
 * Headless Chromium for the browser tests. By default the binary that ships inside
 * the `@sparticuz/chromium` npm package (unpacked to the temp folder on first use),
 * so `npm install && npm test` needs nothing else on the machine; `CHROMIUM_PATH`
 * picks another build, e.g. Debian's `/usr/bin/chromium`.
 */
export async function launchChromium (): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? await Chromium.executablePath()
  // root in a container has no user namespace for Chromium's sandbox; the machine has no network
  // for Chromium's own background requests
  return await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  })
}
