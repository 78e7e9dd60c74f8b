// Campaign capture (docs/sdk.md, "Campaign attribution"): the landing URL's campaign
// parameters replace the kept click (last click wins) and attribute for `attributionDays`;
// the cookie expires with the window. Without a click of our own, the legacy emstrack.js
// cookie attributes.
import { every } from './check.js';
import { cookie, pick } from './cookies.js';
import { CAMPAIGN, type Store } from './storage.js';

/**
 * Whether a campaign parameter's value is one the wire format takes (Text: TEXT_PATTERN and
 * LIMITS.text of src/protocol/constants.ts): 1 to 512 characters, no control characters. Any
 * other value is skipped, so that a mangled link cannot get the orders refused. (No regular
 * expression: see check.ts.)
 */
export const isValue = (v?: string | null) => v && v.length <= 512 && every(v, (c) => c >= ' ' && c != '\x7f');

/**
 * Keeps the campaign click of the page's URL for `days`, and returns it when it is a new one
 * naming an email campaign.
 * The same parameters as the kept click's (a reload of the landing page, another page of a shop
 * whose links carry them on) are that click again: neither kept anew nor returned.
 */
export function captureClick(store: Store, days: number) {
  let click: any;
  // CAMPAIGN_PARAMS of src/protocol/constants.ts (a string costs fewer bytes; a test keeps them
  // equal), each looked up in the query by hand: URLSearchParams costs a page about 0.1 ms on
  // its first use, and a pattern for every name and value another compilation.
  for (const k of 'emst sc_src sc_uid sc_lid sc_llid sc_eh sc_customer utm_source utm_medium utm_campaign'.split(' ')) {
    // In a query a '+' is a space (an encoded one, %2B, stays a '+'); the first of a name counts.
    const v = pick(location.search.slice(1).replaceAll('+', ' '), '&', k);
    if (isValue(v)) (click ||= { at: Date.now() })[k] = v;
  }
  // `at` comes first in both, so equal parameters give equal strings.
  if (click && JSON.stringify({ ...store._get(CAMPAIGN), at: 0 }) != JSON.stringify({ ...click, at: 0 })) {
    store._set(CAMPAIGN, click, days);
    // Only a click naming an email campaign is reported: the collector refuses the others
    // (parseCampaign of src/protocol/campaign.ts; utm_ parameters alone name none).
    // (sc_src: "email_" and at least one more character, compared as strings: the
    // strings between "email_" and "email`", the character after "_", are exactly those)
    if ((click.emst || '.')[0] != '.' || (click.sc_src > 'email_' && click.sc_src < 'email`')) return click;
  }
}

/** What attributes an event now: the kept click within `days`, else the legacy `_ems_campaign` cookie, else nothing. */
export function attribution(store: Store, days: number) {
  const kept = store._get(CAMPAIGN);
  let legacy;
  // The legacy cookie does not say when its click was; its own expiry bounds it.
  return Date.now() - kept?.at < days * 864e5 ? kept : (legacy = cookie('_ems_campaign')) ? { emst: legacy, at: Date.now() } : undefined;
}
