// Debian's Chromium, headless, with the flags this machine needs (never a downloaded browser):
// shared by the page tests and the browser benchmark.
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * A persistent context on `profile` (Playwright takes the profile folder as an argument, not as
 * --user-data-dir); `options` adds to launchPersistentContext's.
 */
export function launchChromiumContext(profile, options = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    ...options,
  });
}
