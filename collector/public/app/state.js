// @ts-check
// The view lives in the URL hash, so a reload or a shared link restores it:
// #view=orders&from=2025-01-01&to=2025-01-31&campaign=42&all=1&page=2&cursor=…&zoom=order:A-1001
import { DEFAULT_VIEW, findView, isZoomKind } from './views.js';

/**
 * @typedef {object} State
 * @property {import('./views.js').ViewId} view
 * @property {string} from YYYY-MM-DD or ''
 * @property {string} to YYYY-MM-DD or ''
 * @property {string} campaign a campaign ID or ''
 * @property {boolean} all direct traffic too
 * @property {number} page 1-based, for the pager's text
 * @property {string} cursor the report's cursor for that page ('' on the first)
 * @property {import('./views.js').Zoom} [zoom] the order or cart open in the zoom dialog
 */

/** @type {readonly ('from' | 'to' | 'campaign' | 'all')[]} */
const FILTER_KEYS = ['from', 'to', 'campaign', 'all'];

/** @returns {State} */
export function readState(hash = location.hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const page = Math.max(1, Number.parseInt(p.get('page') ?? '1', 10) || 1);
  const zoom = /^(\w+):(.+)$/s.exec(p.get('zoom') ?? '');
  return {
    view: (findView(p.get('view')) ?? DEFAULT_VIEW).id,
    from: validDay(p.get('from')),
    to: validDay(p.get('to')),
    campaign: p.get('campaign') ?? '',
    all: p.get('all') === '1',
    page: p.get('cursor') ? page : 1,
    cursor: p.get('cursor') ?? '',
    zoom: zoom?.[1] && zoom[2] && isZoomKind(zoom[1]) ? { kind: zoom[1], id: zoom[2] } : undefined,
  };
}

/** @param {string | null} value */
function validDay(value) {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : '';
}

/** @param {State} state */
export function toHash(state) {
  const p = new URLSearchParams();
  if (state.view !== DEFAULT_VIEW.id) p.set('view', state.view);
  if (state.from) p.set('from', state.from);
  if (state.to) p.set('to', state.to);
  if (state.campaign) p.set('campaign', state.campaign);
  if (state.all) p.set('all', '1');
  if (state.cursor) {
    p.set('page', String(state.page));
    p.set('cursor', state.cursor);
  }
  if (state.zoom) p.set('zoom', `${state.zoom.kind}:${state.zoom.id}`);
  return `#${p.toString()}`;
}

/**
 * Changes the view; the hashchange listener renders it (and Back undoes it).
 * @param {Partial<State>} changes
 */
export function go(changes) {
  const next = toHash({ ...readState(), ...changes });
  if (next !== location.hash && !(next === '#' && !location.hash)) location.hash = next;
  // the same view again (Apply or a tab after a failed load, Reset of fields never applied):
  // rendered anew, which fetches only what is not on display
  else window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/**
 * Whether a zoom was opened on this page, on top of its list in the history. A zoom entry is
 * always made so (or loaded with the page): when one opens again by Back or Forward, the entry
 * before it is still its list.
 */
let zoomPushed = false;

/** Opens the zoom on an order or cart: a history entry of its own, which Back closes. @param {import('./views.js').Zoom} zoom */
export function openZoom(zoom) {
  go({ zoom });
  zoomPushed = true;
}

/** Closes the zoom: back to the list's own entry when the zoom was opened here (Back must not open it again), else in place. */
export function closeZoom() {
  if (zoomPushed) {
    zoomPushed = false;
    history.back();
  } else location.replace(toHash({ ...readState(), zoom: undefined }));
}

/**
 * The report query the filters stand for (docs/http-api.md, common parameters).
 * @param {State} state
 * @returns {import('./api.js').Params}
 */
export function filterParams(state) {
  return {
    from: state.from,
    to: state.to,
    campaign: state.campaign,
    attributed: state.all ? 'all' : undefined,
  };
}

/**
 * Identifies a filter set: paging cursors are only valid within one.
 * @param {State} state
 */
export function filterKey(state) {
  return [state.view, ...FILTER_KEYS.map((k) => state[k])].join('\u0000');
}
