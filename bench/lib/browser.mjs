// Launches the headless Chromium the end-to-end tests use (same search order and flags as
// test/e2e/browser.ts, which plain .mjs cannot import).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function findChromium() {
  if (process.env.CHROME_PATH) return process.env.CHROME_PATH;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(p)) return p;
  }
  return null;
}

export async function launchBrowser() {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found: set CHROME_PATH or install Debian\'s chromium (see DEVELOPERS.md)');
  return chromium.launch({ executablePath, args: FLAGS, headless: true });
}
