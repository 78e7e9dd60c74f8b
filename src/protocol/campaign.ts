// How a campaign ID and contact UID are read from the captured parameters, and written
// into links: shared by the collector, the Node helpers and the CLI.
import type { Attribution } from './schema.js';

export interface CampaignRef {
  campaignId: string;
  contactUid?: string;
}

/** `emst=<campaignId>.<contactUid>` wins; else `sc_src=email_<campaignId>` with `sc_uid`. */
export function parseCampaign(a: Partial<Attribution> | undefined): CampaignRef | undefined {
  if (!a) return undefined;
  if (a.emst) {
    const dot = a.emst.indexOf('.');
    const campaignId = dot < 0 ? a.emst : a.emst.slice(0, dot);
    const contactUid = dot < 0 ? undefined : a.emst.slice(dot + 1) || undefined;
    if (campaignId) return contactUid ? { campaignId, contactUid } : { campaignId };
  }
  const m = a.sc_src ? /^email_(.+)$/.exec(a.sc_src) : null;
  if (m) return a.sc_uid ? { campaignId: m[1], contactUid: a.sc_uid } : { campaignId: m[1] };
  return undefined;
}

/** The query parameters our email links carry (docs/sdk.md). */
export function campaignLinkParams(ref: CampaignRef & { linkId?: string }): [string, string][] {
  const uid = ref.contactUid ?? '';
  const params: [string, string][] = [
    ['emst', uid ? `${ref.campaignId}.${uid}` : ref.campaignId],
    ['sc_src', `email_${ref.campaignId}`],
  ];
  if (uid) params.push(['sc_uid', uid]);
  if (ref.linkId) params.push(['sc_lid', ref.linkId]);
  return params;
}
