// The bundler entry (`import { createTracker } from 'emarsys-track'`).
export { createTracker } from './tracker.js';
export type { Api, Deps, Result, Tracker } from './tracker.js';
export type { Consent, Options, StorageKind } from './options.js';
export type { CartInput, ItemInput, MoneyInput, OrderInput } from './input.js';
