// The legacy cookies, kept the way the old emstrack.js kept them, with document.cookie:
// the SDK's js-cookie would not fit the 1,500-byte budget of dist/emstrack.js.

export function cookie(name: string): string | undefined {
  const v = (document.cookie.match('(^|; )' + name + '=([^;]*)') || [])[2];
  try {
    return v && decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** `days`: lifetime (a negative one erases the cookie); none: a session cookie. */
export function setCookie(name: string, value: string, domain?: string, days?: number) {
  document.cookie = name + '=' + encodeURIComponent(value) + ';path=/' + (domain ? ';domain=' + domain : '') + (days ? ';max-age=' + days * 864e2 : '');
}
