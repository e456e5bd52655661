/** Types of chromium.mjs (plain JavaScript so that the browser benchmark runs it too). */
import type { BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM: string;

export function launchChromiumContext(
  profile: string,
  options?: Parameters<typeof chromium.launchPersistentContext>[1],
): Promise<BrowserContext>;
