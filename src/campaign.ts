// Campaign capture (SPEC 3.3): the landing URL's campaign parameters are kept first-party
// for `attributionDays`, the last click winning; without one of ours, the legacy
// emstrack.js `_ems_campaign` cookie (an `emst` value) still attributes.
import { CAMPAIGN_PARAMS, LEGACY_CAMPAIGN_COOKIE, LIMITS } from './protocol/constants.js';
import type { Attribution } from './protocol/schema.js';
import { isText } from './check.js';
import type { Log } from './log.js';
import { CAMPAIGN, readCookie, readJson, type Store } from './storage.js';

/** Captures the current URL's campaign; returns what to attach to an event now. */
export function createCampaign(store: Store, days: number, now: () => number, log: Log): () => Attribution | undefined {
  const query = new URLSearchParams(location.search);
  let clicked: Attribution | undefined;
  for (const k of CAMPAIGN_PARAMS) {
    const v = query.get(k);
    // A mangled link must not get the order refused: a value the collector would refuse is skipped.
    if (isText(v, LIMITS.text, 1)) (clicked = clicked || { at: now() })[k] = v;
    else if (v) log._debug('campaign parameter ignored', k);
  }
  if (clicked) {
    store._set(CAMPAIGN, JSON.stringify(clicked), days);
    log._debug('campaign captured', clicked);
  }
  return () => {
    let a: Attribution | undefined = readJson(store, CAMPAIGN);
    if (a && !(now() - a.at < days * 864e5)) {
      log._debug('campaign expired', a);
      store._del(CAMPAIGN);
      a = undefined;
    }
    const legacy = readCookie(LEGACY_CAMPAIGN_COOKIE);
    // The legacy cookie does not say when its click was; its own expiry bounds it.
    return a || (isText(legacy, LIMITS.text, 1) ? { emst: legacy, at: now() } : undefined);
  };
}
