export * from './constants.js';
export * from './schema.js';
export * from './campaign.js';
