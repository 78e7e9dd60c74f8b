// Directory CSV files (docs/http-api.md, "Directory"): the header, every bad line named, nothing half-imported.
import { describe, expect, it } from 'vitest';
import { parseDirectoryCsv } from '../src/directory/csv-import.js';

describe('directory CSV', () => {
  it('reads campaigns and contacts with their header, quotes and a BOM', () => {
    expect(parseDirectoryCsv('campaigns', '\ufeffcampaignId,name\r\n5521,"Spring Sale, 2025"\n5522,"Say ""hi"""\n\n')).toEqual({
      rows: [
        { campaignId: '5521', name: 'Spring Sale, 2025' },
        { campaignId: '5522', name: 'Say "hi"' },
      ],
      errors: [],
    });
    expect(parseDirectoryCsv('contacts', 'contactUid,email\nu1,ada@example.com\n')).toEqual({ rows: [{ contactUid: 'u1', email: 'ada@example.com' }], errors: [] });
  });

  it('names every bad line with its field and reason', () => {
    const text = ['contactUid,email', 'u1,ada@example.com', ',bob@example.com', 'u3,not-an-email', 'u4', `u5,${'x'.repeat(250)}@e.com`, 'u6,a@b.c,extra'].join('\n');
    expect(parseDirectoryCsv('contacts', text)).toEqual({
      rows: [{ contactUid: 'u1', email: 'ada@example.com' }],
      errors: [
        'line 3: contactUid: must not be empty',
        'line 4: email: must be an email address',
        'line 5: expected 2 values (contactUid,email), got 1',
        'line 6: email: must be at most 254 characters',
        'line 7: expected 2 values (contactUid,email), got 3',
      ],
    });
  });

  it('requires the header, and reports broken quoting', () => {
    expect(parseDirectoryCsv('campaigns', '5521,Spring').errors).toEqual(['line 1: the header must be campaignId,name (got 5521,Spring)']);
    expect(parseDirectoryCsv('campaigns', '').errors).toEqual(['line 1: the file is empty; expected the header campaignId,name']);
    expect(parseDirectoryCsv('campaigns', 'campaignId,name\n1,"open').errors[0]).toMatch(/Quote Not Closed/);
    expect(parseDirectoryCsv('campaigns', 'campaignId,name\n1,a\u0007b').errors).toEqual(['line 2: name: must not contain control characters']);
  });
});
