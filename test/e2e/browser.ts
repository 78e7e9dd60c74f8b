// The end-to-end tests' browser: the one scripts/chromium.mjs finds (shared with the bench).
export { launchBrowser } from '../../scripts/chromium.mjs';
