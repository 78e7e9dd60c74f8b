// Campaign capture (SPEC 3.3): the landing URL's campaign parameters are kept first-party
// for `attributionDays`, the last click winning; without one of ours, the legacy
// emstrack.js `_ems_campaign` cookie (an `emst` value) still attributes.
import Cookies from 'js-cookie';
import type { Attribution } from './protocol/schema.js';
import { CAMPAIGN, type Store } from './storage.js';

/** CAMPAIGN_PARAMS of src/protocol/constants.ts, as one string (a test keeps them equal). */
export const PARAMS = 'emst sc_src sc_uid sc_lid sc_llid sc_eh sc_customer utm_source utm_medium utm_campaign'.split(' ');

/** Text the wire format takes (TEXT_PATTERN, LIMITS.text): 1 to 512 characters, no control characters. */
export const TEXT = /^[^\0-\x1f\x7f]{1,512}$/;

/** Captures the current URL's campaign; returns what to attach to an event now. */
export function createCampaign(store: Store, days: number, now: () => number): () => Attribution | undefined {
  const query = new URLSearchParams(location.search);
  let clicked: any;
  for (const k of PARAMS) {
    const v = query.get(k);
    // A mangled link must not get the order refused: a value the collector would refuse is skipped.
    if (v && TEXT.test(v)) (clicked ||= { at: now() })[k] = v;
  }
  // The cookie expires with the attribution window; other backends rely on `at`.
  if (clicked) store._set(CAMPAIGN, clicked, days);
  return () => {
    const a = store._get(CAMPAIGN);
    const legacy = Cookies.get('_ems_campaign');
    return now() - a?.at < days * 864e5
      ? a
      : // The legacy cookie does not say when its click was; its own expiry bounds it.
        legacy && TEXT.test(legacy)
        ? { emst: legacy, at: now() }
        : undefined;
  };
}
