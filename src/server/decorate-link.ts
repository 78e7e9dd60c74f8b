// decorateLink: adds the campaign parameters (docs/sdk.md, "Campaign attribution") to a link in an email.
import { campaignLinkParams, type CampaignRef } from '../protocol/campaign.js';
import { CAMPAIGN_PARAMS } from '../protocol/constants.js';
import { fail, optionalText, text } from './check.js';

export interface LinkCampaign extends CampaignRef {
  contactUid: string;
  linkId?: string;
}

// A link copied from an earlier email may carry another campaign's `emst`/`sc_*`; the shop's
// own `utm_*` tagging is left alone.
const STALE = new Set<string>(CAMPAIGN_PARAMS.filter((p) => !p.startsWith('utm_')));

function paramName(segment: string): string {
  const raw = segment.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Returns `url` with `emst=<campaignId>.<contactUid>`, `sc_src`, `sc_uid` (and `sc_lid` with a
 * `linkId`) in its query. Other parameters and the fragment are kept byte for byte; stale
 * campaign parameters are replaced. Throws a TypeError naming a bad field.
 */
export function decorateLink(url: string, campaign: LinkCampaign): string {
  text('url', url);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    fail('url', `${JSON.stringify(url)} is not an absolute URL`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') fail('url', `${JSON.stringify(url)} is not an http(s) link`);
  const campaignId = text('campaignId', campaign?.campaignId);
  // `emst` is read as `<campaignId>.<contactUid>`, split at the first dot.
  if (campaignId.includes('.')) fail('campaignId', `${JSON.stringify(campaignId)} may not contain a dot`);
  const contactUid = text('contactUid', campaign.contactUid);
  const linkId = optionalText('linkId', campaign.linkId);

  const hashAt = url.indexOf('#');
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const path = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const kept = queryAt < 0 ? [] : beforeHash.slice(queryAt + 1).split('&').filter((s) => s !== '' && !STALE.has(paramName(s)));
  const added = campaignLinkParams({ campaignId, contactUid, linkId }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `${path}?${[...kept, ...added].join('&')}${fragment}`;
}
