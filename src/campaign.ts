// Campaign capture (docs/sdk.md, "Campaign attribution"): the landing URL's campaign
// parameters replace the kept click (last click wins) and attribute for `attributionDays`;
// the cookie expires with the window. Without a click of our own, the legacy emstrack.js
// cookie attributes.
import { cookie } from './cookies.js';
import { CAMPAIGN, type Store } from './storage.js';

/**
 * `name=value` of a campaign parameter (CAMPAIGN_PARAMS of src/protocol/constants.ts, a test
 * keeps them equal) whose value the wire format takes as Text (TEXT_PATTERN, LIMITS.text): 1
 * to 512 characters, no control characters. Any other value is skipped, so that a mangled
 * link cannot get the orders refused.
 */
export const PARAM = /^(emst|sc_(src|uid|lid|llid|eh|customer)|utm_(source|medium|campaign))=[^\0-\x1f\x7f]{1,512}$/;

/**
 * Keeps the campaign click of the page's URL for `days`, and returns it when it is a new one
 * naming an email campaign.
 * The same parameters as the kept click's (a reload of the landing page, another page of a shop
 * whose links carry them on) are that click again: neither kept anew nor returned.
 */
export function captureClick(store: Store, days: number) {
  let click: any;
  for (const [k, v] of new URLSearchParams(location.search)) if (PARAM.test(k + '=' + v)) (click ||= { at: Date.now() })[k] = v;
  // `at` comes first in both, so equal parameters give equal strings.
  if (click && JSON.stringify({ ...store._get(CAMPAIGN), at: 0 }) != JSON.stringify({ ...click, at: 0 })) {
    store._set(CAMPAIGN, click, days);
    // Only a click naming an email campaign is reported: the collector refuses the others
    // (parseCampaign of src/protocol/campaign.ts; utm_ parameters alone name none).
    if (/^[^.]/.test(click.emst || '.') || /^email_./.test(click.sc_src)) return click;
  }
}

/** What attributes an event now: the kept click within `days`, else the legacy `_ems_campaign` cookie, else nothing. */
export function attribution(store: Store, days: number) {
  const kept = store._get(CAMPAIGN);
  let legacy;
  // The legacy cookie does not say when its click was; its own expiry bounds it.
  return Date.now() - kept?.at < days * 864e5 ? kept : (legacy = cookie('_ems_campaign')) ? { emst: legacy, at: Date.now() } : undefined;
}
