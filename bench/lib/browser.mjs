// The bench's browser: the same Chromium, found the same way, as the end-to-end tests.
export { findChromium, launchBrowser } from '../../scripts/chromium.mjs';
