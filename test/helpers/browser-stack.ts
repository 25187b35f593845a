import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';
import { startStack, type Stack } from './stack.js';

/** A browser test file's service (startStack on the Postgres queue backend) and Chromium, closed after it. */
export function useBrowserStack(env: Record<string, string> = {}): { stack: Stack; browser: Browser } {
  const ctx = {} as { stack: Stack; browser: Browser };
  beforeAll(async () => {
    ctx.stack = await startStack('postgres', env);
    ctx.browser = await launchBrowser();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.stack?.close();
  });
  return ctx;
}
