// emarsys-track/server: Node helpers for shops' servers (docs/server-helpers.md). No dependencies.
export { buildPixelUrl, type PixelHit } from './pixel-url.js';
export { decorateLink, type LinkCampaign } from './decorate-link.js';
export { trackPurchase, trackingIds, TrackPurchaseError, type Purchase, type TrackPurchaseOptions, type TrackPurchaseResult } from './track-purchase.js';
export type { ItemInput } from './check.js';
