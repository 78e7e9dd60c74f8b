// The collector's HTTP API as the dashboard uses it (docs/http-api.md). The session cookie
// is HttpOnly and same-origin, so fetch carries it and no token lives in the page.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, { body, signal } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined;
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, data?.error, data?.message);
  // set while events received before this time are still being applied (docs/dashboard.md)
  const upTo = res.headers.get('x-data-up-to');
  if (upTo && data && typeof data === 'object') Object.defineProperty(data, 'dataUpTo', { value: new Date(upTo) });
  return data;
}

export const session = {
  /** The logged-in user, or undefined when there is no session. */
  async current() {
    try {
      return (await request('GET', '/api/v1/session')).user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return undefined;
      throw err;
    }
  },
  async login(customerId, email, password) {
    return (await request('POST', '/api/v1/session', { body: { customerId, email, password } })).user;
  },
  logout: () => request('DELETE', '/api/v1/session'),
};

/** URL of one report; the CSV link is the same URL with format=csv. */
export function reportUrl(customerId, report, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const qs = query.toString();
  return `/api/v1/customers/${encodeURIComponent(customerId)}/${report}${qs ? `?${qs}` : ''}`;
}

export function getReport(customerId, report, params, signal) {
  return request('GET', reportUrl(customerId, report, params), { signal });
}
