// A tolerant reader for the legacy pixel's query string. The old emstrack.js and many shop
// templates appended values WITHOUT URL encoding, so a product name like `Salt & Pepper`
// arrives as a raw `&`; URLSearchParams would cut it in two. The rules (docs/legacy.md):
//   1. A `&` (or a mistyped `&amp;`) followed by a KNOWN parameter name and `=` starts a pair.
//   2. In a label (an order ID, a place) a `&` followed by a parameter-like name and `=` ends
//      the value too: labels rarely hold one, and a cache buster (`&rnd=123`) would corrupt it.
//   3. Any other `&` inside a free-text value or a label belongs to that value, except one
//      that starts the run of unknown parameter-like pairs ending the query: cache busters and
//      tracking parameters are appended last.
//   4. Values that can never hold a `&` (numbers, IDs) and unknown pairs end at any `&`;
//      what follows up to the next known name is an unknown pair, which the caller ignores.
// Components are decoded as the original PHP endpoint did (`+` is a space, `%XX` a byte,
// a `%` without two hex digits is kept), then read as UTF-8, or windows-1252 when the
// bytes are not valid UTF-8 (pages served as Latin-1 percent-encode in their own charset).

/**
 * How a known parameter's value may be split: `text` keeps raw `&`s (product names), `label`
 * keeps those not followed by a parameter-like name, `closed` never holds one.
 */
export type FieldKind = 'text' | 'label' | 'closed';

export interface RawParam {
  /** decoded name, `[]` or `[3]` included for list parameters */
  name: string;
  value: string;
  known: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Node 20's TextDecoder('windows-1252') decodes ISO-8859-1 instead, so 0x80-0x9F (€, ‚, “, …)
// would come out as C1 control characters; the WHATWG table for that range, by hand.
const CP1252 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const windows1252 = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => (b >= 0x80 && b < 0xa0 ? CP1252[b - 0x80] : String.fromCharCode(b))).join('');
const encoder = new TextEncoder();
const HEX = /^[0-9A-Fa-f]{2}$/;
/** A name a template or a cache buster gives a parameter: `rnd`, `_`, `utm_source`, `cb-1.x`. */
const PARAMETER_LIKE = /^[A-Za-z_][\w.-]*$/;

export function decodeComponent(raw: string): string {
  const text = raw.replace(/\+/g, ' ');
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && HEX.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      // Node's HTTP parser refuses raw non-ASCII bytes, so any such character came in as text.
      for (const b of encoder.encode(String.fromCodePoint(text.codePointAt(i)!))) bytes.push(b);
      if (text.codePointAt(i)! > 0xffff) i++;
    }
  }
  const view = Uint8Array.from(bytes);
  try {
    return utf8.decode(view);
  } catch {
    return windows1252(view);
  }
}

/** The decoded name of a `name=value` segment, or undefined when it has no `=`. */
function nameOf(segment: string): string | undefined {
  const eq = segment.indexOf('=');
  return eq < 0 ? undefined : decodeComponent(segment.slice(0, eq));
}

/** Whether a `&` and a segment that names no known parameter belong to the value before them. */
function continues(kind: FieldKind | undefined, name: string | undefined): boolean {
  return kind === 'text' || (kind === 'label' && !(name !== undefined && PARAMETER_LIKE.test(name)));
}

// `&amp;` is an HTML entity left in a URL built by a template: a separator all the same.
const unescape = (segment: string) => (segment.startsWith('amp;') ? segment.slice(4) : segment);

/** Where the run of unknown parameter-like pairs that ends the query starts (`&rnd=123&_=1`): templates append cache busters last. */
function trailingRun(segments: readonly string[], kindOf: (name: string) => FieldKind | undefined): number {
  let i = segments.length;
  while (i > 1) {
    const name = nameOf(unescape(segments[i - 1]));
    if (name === undefined || kindOf(name) || !PARAMETER_LIKE.test(name)) break;
    i--;
  }
  return i;
}

export function splitLegacyQuery(query: string, kindOf: (name: string) => FieldKind | undefined): RawParam[] {
  const pairs: { name: string; raw: string; kind: FieldKind | undefined }[] = [];
  const segments = query.split('&');
  const trailing = trailingRun(segments, kindOf);
  segments.forEach((segment, i) => {
    const unescaped = unescape(segment);
    const name = nameOf(unescaped);
    const kind = name === undefined ? undefined : kindOf(name);
    const current = pairs[pairs.length - 1];
    if (i > 0 && i < trailing && current && !kind && continues(current.kind, name)) {
      current.raw += '&' + segment;
      return;
    }
    const eq = unescaped.indexOf('=');
    pairs.push({ name: name ?? decodeComponent(unescaped), raw: eq < 0 ? '' : unescaped.slice(eq + 1), kind });
  });
  return pairs
    .filter((p) => p.name !== '' || p.raw !== '')
    .map((p) => ({ name: p.name, value: decodeComponent(p.raw), known: p.kind !== undefined }));
}
