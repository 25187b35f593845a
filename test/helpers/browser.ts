import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** True when Debian's Chromium is installed; in CI its absence is a failure, never a skip. */
export function browserAvailable(): boolean {
  if (existsSync(EXECUTABLE)) return true;
  if (ci) throw new Error(`Chromium is missing at ${EXECUTABLE} (apt-get install -y chromium); CI=true, so the browser tests fail rather than skip.`);
  console.warn(`\n!!! Chromium is not installed at ${EXECUTABLE}: the browser tests are SKIPPED here (apt-get install -y chromium). CI runs them.\n`);
  return false;
}

/** Launches headless Chromium the way this machine allows (no sandbox as root, no network chatter). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
