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

  it("prefixes a formula after a ';' too: where ';' is the separator (German, French spreadsheets), it starts a cell", () => {
    expect(csvText('Berlin;=HYPERLINK(A1);')).toBe(`Berlin;'=HYPERLINK(A1);`);
    expect(csvText(`x;=cmd|'/C calc'!A0;`)).toBe(`x;'=cmd|'/C calc'!A0;`);
    // read with ';' as the separator, no cell of a hostile line starts a formula
    const line = csvLine(['2026-12-05', csvText('O-1'), csvText('Berlin;=HYPERLINK(A1);-1;@x'), csvText('-2;+3')]);
    for (const cell of line.trim().split(';')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(csvText('a;b')).toBe('a;b');
  });
});
