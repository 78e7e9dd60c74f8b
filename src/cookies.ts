// First-party cookies with document.cookie, for the SDK (storage.ts) and dist/emstrack.js: a
// cookie library would cost the SDK about 600 of its 3,000 gzipped bytes. Every cookie is
// `path=/` and `SameSite=Lax` (never sent along with another site's subrequests or POSTs),
// and `Secure` on https pages, so it never travels in clear text.

/**
 * document.cookie, read once per run of synchronous code (init() and the calls queued before
 * it, say): each read costs main-thread time, a read after a write more so. Our writes go in
 * front (the first match wins); another tab's are seen from the next run on.
 */
let jar: string | undefined;

/** The cookie's value, URI-decoded (as written when that fails); undefined when there is none. */
export const cookie = (name: string): string | undefined => pick((jar ??= (queueMicrotask(() => (jar = undefined)), document.cookie)), '; ', name);

/**
 * The value of the first `name=…` in `list` (pairs joined by `sep`: a cookie string, a query),
 * URI-decoded (as it is when that fails). Split, not matched: each new regular expression costs
 * V8 a compilation (tens of µs), and URLSearchParams costs a page about 0.1 ms on its first use.
 */
export function pick(list: string, sep: string, name: string): string | undefined {
  const v = (sep + list).split(sep + name + '=')[1]?.split(sep)[0];
  try {
    return v && decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** `days`: lifetime, fractions allowed (a negative one erases the cookie); none: a session cookie. */
export function setCookie(name: string, value: string, domain?: string, days?: number) {
  value = name + '=' + encodeURIComponent(value);
  if (jar != null) jar = value + '; ' + jar;
  document.cookie =
    value +
    ';path=/;SameSite=Lax' +
    (location.protocol == 'https:' ? ';Secure' : '') +
    (domain ? ';domain=' + domain : '') +
    // max-age takes whole seconds only: a fraction would make a session cookie.
    (days ? ';max-age=' + ((days * 864e2) | 0) : '');
}
