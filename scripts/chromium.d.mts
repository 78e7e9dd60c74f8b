// Types of scripts/chromium.mjs, for the end-to-end tests.
import type { Browser } from 'playwright-core';
export declare function findChromium(): Promise<{ executablePath: string; args: string[] }>;
export declare function launchBrowser(): Promise<Browser>;
