// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseCampaign } from '../../src/protocol/index.js';
import { decorateLink } from '../../src/server/index.js';

const ref = { campaignId: '5521', contactUid: 'UID9' };

describe('decorateLink', () => {
  it('adds emst and the sc_* parameters to a bare link', () => {
    expect(decorateLink('https://shop.example.com/tv', ref)).toBe('https://shop.example.com/tv?emst=5521.UID9&sc_src=email_5521&sc_uid=UID9');
  });

  it('keeps the existing query byte for byte and the fragment after the query', () => {
    expect(decorateLink('https://shop.example.com/s?q=a+b%20c&utm_source=news&empty=&#reviews', { ...ref, linkId: 'L 7' })).toBe(
      'https://shop.example.com/s?q=a+b%20c&utm_source=news&empty=&emst=5521.UID9&sc_src=email_5521&sc_uid=UID9&sc_lid=L%207#reviews',
    );
    expect(decorateLink('https://shop.example.com/#/app?x=1', ref)).toBe(
      'https://shop.example.com/?emst=5521.UID9&sc_src=email_5521&sc_uid=UID9#/app?x=1',
    );
  });

  it('replaces stale campaign parameters, encoded or not, and leaves utm_* alone', () => {
    const stale = 'https://shop.example.com/p?emst=1.OLD&id=3&sc_src=email_1&sc%5Fuid=OLD&sc_lid=9&sc_llid=4&sc_eh=h&utm_campaign=spring';
    expect(decorateLink(stale, ref)).toBe(
      'https://shop.example.com/p?id=3&utm_campaign=spring&emst=5521.UID9&sc_src=email_5521&sc_uid=UID9',
    );
  });

  it('encodes hostile IDs so they read back as given', () => {
    const url = new URL(decorateLink('https://shop.example.com/', { campaignId: 'c&d=1#', contactUid: 'u +%?' }));
    const captured = Object.fromEntries(url.searchParams);
    expect(captured).toEqual({ emst: 'c&d=1#.u +%?', sc_src: 'email_c&d=1#', sc_uid: 'u +%?' });
    expect(parseCampaign(captured)).toEqual({ campaignId: 'c&d=1#', contactUid: 'u +%?' });
  });

  it('refuses what would make a broken or misread link', () => {
    expect(() => decorateLink('www.shop.example.com/x', ref)).toThrow('url: "www.shop.example.com/x" is not an absolute URL');
    expect(() => decorateLink('mailto:a@b.c', ref)).toThrow('url: "mailto:a@b.c" is not an http(s) link');
    expect(() => decorateLink('https://shop.example.com/', { ...ref, campaignId: '55.21' })).toThrow('campaignId: "55.21" may not contain a dot');
    expect(() => decorateLink('https://shop.example.com/', { ...ref, contactUid: '' })).toThrow('contactUid: must be a non-empty string');
    expect(() => decorateLink('https://shop.example.com/', { ...ref, linkId: 5 as never })).toThrow('linkId: must be a non-empty string');
  });
});
