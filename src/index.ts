// The bundler entry (`import { createTracker } from 'emarsys-track'`).
export { createTracker } from './tracker.js';
export type { Deps, Result, Tracker } from './tracker.js';
export type { Consent, Options } from './options.js';
export type { CartInput, ItemInput, MoneyInput, OrderInput } from './input.js';
export type { StorageKind } from './storage.js';
