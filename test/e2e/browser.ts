// Finds a Chromium for the end-to-end tests: CHROME_PATH, then Debian's /usr/bin/chromium,
// then the one the optional npm package @sparticuz/chromium ships (see DEVELOPERS.md).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function findChromium(): Promise<{ executablePath: string; args: string[] }> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) return { executablePath: fromEnv, args: FLAGS };
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(p)) return { executablePath: p, args: FLAGS };
  }
  try {
    const spec = '@sparticuz/chromium';
    const mod = (await import(spec)).default as { executablePath(): Promise<string>; args: string[] };
    return { executablePath: await mod.executablePath(), args: [...new Set([...mod.args, ...FLAGS])] };
  } catch {
    throw new Error(
      'No Chromium found for the browser tests: set CHROME_PATH, install Debian\'s `chromium` package, or `npm install --no-save @sparticuz/chromium`.',
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, args } = await findChromium();
  return chromium.launch({ executablePath, args, headless: true });
}
