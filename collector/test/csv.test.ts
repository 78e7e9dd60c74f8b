import { describe, expect, it } from 'vitest';
import { csvLine, csvText } from '../src/csv.js';

describe('CSV lines', () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
    expect(csvLine(['a', 'b'])).toBe('a,b\r\n');
  });

  it("prefixes what a spreadsheet would run as a formula with '", () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvText(v).replace(/^"/, '').startsWith(`'`)).toBe(true);
    expect(csvText('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvText('plain')).toBe('plain');
  });
});
