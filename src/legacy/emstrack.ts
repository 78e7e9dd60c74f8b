// dist/emstrack.js: a drop-in for the Suite's legacy emstrack.js (docs/legacy.md). The old
// snippets run unchanged: emsSetEnv(env), emsTracking(customerId, domain), then
// emsSubmitOrder() reads <form name="emsform"> and sends a cart (no `order`) or an order
// as a protocol Batch. Decisions: docs/legacy.md.
import { LEGACY_CAMPAIGN_COOKIE, LEGACY_SESSION_COOKIE, LEGACY_VISITOR_COOKIE, PROTOCOL_VERSION } from '../protocol/constants.js';
import type { BatchResult, TrackEvent } from '../protocol/schema.js';
import { uuid } from '../id.js';
import { isValue } from '../campaign.js';
import { cookie, setCookie } from '../cookies.js';
import { readForm } from './form.js';
import { post } from './post.js';

// Read while the script runs: document.currentScript is gone afterwards.
const tag = document.currentScript as HTMLScriptElement | null;
/** Where a Suite environment name points: data-endpoint, else the origin serving this script (or the page). */
const home = ((tag && tag.dataset.endpoint) || new URL((tag && tag.src) || '', location.href).origin).replace(/\/+$/, '');

let endpoint = home;
let customerId = '';
let domain = '';
let visitor: string;
let session: string;

const warn = (message: string) => console.warn('[emstrack] ' + message);

/** A visitor or session ID: the cookie's, or a new one; the cookie is refreshed either way. */
function keep(name: string, days?: number): string {
  const id = cookie(name) || uuid();
  setCookie(name, id, domain, days);
  return id;
}

function emsSetEnv(env: string) {
  endpoint = /^(https?:)?\/\//.test(env) ? env.replace(/\/+$/, '') : home;
}

function emsTracking(customer: unknown, cookieDomain?: string) {
  customerId = String(customer);
  // A cookie for a domain this page is not on would be refused: host-only cookies then.
  const d = String(cookieDomain || '').replace(/^\./, '');
  domain = d && ('.' + location.hostname).endsWith('.' + d) ? d : '';
  const emst = new URLSearchParams(location.search).get('emst');
  // A mangled link must not sink the orders of the next 30 days: the collector refuses
  // text over 512 characters or with control characters, and the event with it.
  if (isValue(emst)) setCookie(LEGACY_CAMPAIGN_COOKIE, emst!, domain, 30);
  visitor = keep(LEGACY_VISITOR_COOKIE, 365);
  session = keep(LEGACY_SESSION_COOKIE);
}

function emsSubmitOrder() {
  if (!customerId) throw Error('call emsTracking() first');
  const { order, ...fields } = readForm();
  if (order && !fields.total) throw Error('total: missing');
  const time = Date.now();
  const emst = cookie(LEGACY_CAMPAIGN_COOKIE);
  // The session pairs the Order Confirmation's cart with the Thank You page's order
  // (as ti.php does); an order ends it, so the next checkout is a new cart.
  if (order) setCookie(LEGACY_SESSION_COOKIE, '', domain, -1);
  const event = {
    ...fields,
    type: order ? 'order' : 'cart',
    orderId: order,
    cartId: session,
    id: uuid(),
    time,
    visitor,
    session,
    attribution: emst ? { emst, at: time } : undefined,
  } as TrackEvent;
  void post(endpoint, { v: PROTOCOL_VERSION, customerId, source: 'emstrack', events: [event] }).then(({ status, body }) => {
    // In the collector's words: the refused field and reason, or its error.
    const b = body as BatchResult | undefined;
    if (!status || status > 299 || (b && b.rejected && b.rejected[0])) warn(event.type + ' not recorded: ' + JSON.stringify(b || status));
  });
}

/** The old snippets must never throw into the shop's page. */
const safe =
  <A extends unknown[]>(f: (...args: A) => void) =>
  (...args: A) => {
    try {
      f(...args);
    } catch (e) {
      warn((e as Error).message + '; nothing sent');
    }
  };

Object.assign(window, { emsSetEnv: safe(emsSetEnv), emsTracking: safe(emsTracking), emsSubmitOrder: safe(emsSubmitOrder) });
