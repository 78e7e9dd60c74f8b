// Finds and launches the headless Chromium that the end-to-end tests and the benchmarks use:
// CHROME_PATH, then a system Chromium, then the one the optional npm package
// @sparticuz/chromium ships (see DEVELOPERS.md). Plain .mjs so the bench can import it too.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Without the networking flags Chromium keeps dialling Google hosts this machine cannot reach. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return { executablePath: fromEnv, args: FLAGS };
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(p)) return { executablePath: p, args: FLAGS };
  }
  try {
    const spec = '@sparticuz/chromium';
    const mod = (await import(spec)).default;
    return { executablePath: await mod.executablePath(), args: [...new Set([...mod.args, ...FLAGS])] };
  } catch {
    throw new Error(
      "No Chromium found: set CHROME_PATH, install Debian's `chromium` package, or `npm install --no-save @sparticuz/chromium`.",
    );
  }
}

export async function launchBrowser() {
  const { executablePath, args } = await findChromium();
  return chromium.launch({ executablePath, args, headless: true });
}
