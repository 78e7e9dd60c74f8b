// @ts-check
// Entry point: checks the session, then renders whatever the URL hash names, and turns
// 401 and 403 answers into the login form and a clear message.
import { ApiError, session } from './api.js';
import { byId, h, showMessage } from './dom.js';
import { loadCampaigns, resetCampaigns, syncFilters } from './filters.js';
import { hideLogin, showLogin } from './login.js';
import { reloadReport, renderReport, resetReport } from './report.js';
import { go, readState } from './state.js';
import { VIEWS } from './views.js';
import { syncZoom } from './zoom.js';

const app = byId('app');
const account = byId('account');
const panelMessage = byId('panel-message');
// one tab per view, in the list's order
const tabs = VIEWS.map((view) => ({
  view: view.id,
  el: h('button', { type: 'button', role: 'tab', id: `tab-${view.id}`, 'aria-controls': 'panel' }, view.tab),
}));
byId('tabs').replaceChildren(...tabs.map((tab) => tab.el));
/** @type {import('./api.js').User | undefined} */
let user;

/** @param {import('./api.js').User} loggedIn */
function enter(loggedIn) {
  user = loggedIn;
  hideLogin();
  app.hidden = false;
  app.classList.remove('denied');
  account.hidden = false;
  byId('account-name').textContent = `${loggedIn.email} · ${loggedIn.customerName || `Customer ${loggedIn.customerId}`}`;
  byId('app-title').focus();
  loadCampaigns(loggedIn.customerId).then(() => syncFilters(readState()), handleError);
  render();
}

/** @param {string} [reason] why the login form shows, e.g. an ended session */
function leave(reason) {
  user = undefined;
  shownView = '';
  resetReport();
  resetCampaigns();
  syncZoom(undefined);
  app.hidden = true;
  account.hidden = true;
  showLogin(reason, enter);
}

/** The view on display: the selected tab is scrolled into sight only when it changes, not when an order opens or a page turns (that would throw the reader back to the top). */
let shownView = '';

function render() {
  if (!user) return;
  const state = readState();
  for (const { view, el } of tabs) {
    const selected = view === state.view;
    el.setAttribute('aria-selected', String(selected));
    el.tabIndex = selected ? 0 : -1;
    if (selected && view !== shownView) el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  shownView = state.view;
  byId('panel').setAttribute('aria-labelledby', `tab-${state.view}`);
  syncFilters(state);
  renderReport(state, user).catch(handleError);
  syncZoom(state.zoom, user, handleError);
}

const SESSION_ENDED = 'Your session has ended. Please log in again.';

/** @param {unknown} err */
function handleError(err) {
  if (err instanceof ApiError && err.status === 401) {
    leave(SESSION_ENDED);
  } else if (err instanceof ApiError && err.status === 403) {
    app.classList.add('denied');
    resetReport();
    byId('panel-title').textContent = 'No access';
    showMessage(panelMessage, 'Your user lacks the ecommerce-admin role for this account, so its ecommerce reports are not shown. Ask an admin of the account for the role.', 'error');
  } else if (err instanceof ApiError) {
    // the collector's own words name the field: `to: must not be before from`
    showMessage(panelMessage, `The report could not be loaded: ${err.message}`, 'error');
  } else {
    showMessage(panelMessage, 'The collector could not be reached. Check the connection, then choose Apply or the tab again.', 'error');
  }
}

// The skip link moves focus only (following it would put "#main" in the URL, which names no
// view): to the report when one shows, else to the login form's page.
byId('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  byId(user ? 'panel' : 'main').focus();
});

// A CSV is a download, which fails without a word when the session has ended: the session is
// checked first, and an ended one brings the login form, as any other request does.
const csv = byId('csv', HTMLAnchorElement);
let sessionChecked = false;
csv.addEventListener('click', (event) => {
  if (sessionChecked) {
    sessionChecked = false;
    return;
  }
  event.preventDefault();
  session.current().then((current) => {
    if (!current) return leave(SESSION_ENDED);
    sessionChecked = true;
    csv.click();
  }, handleError);
});

tabs.forEach(({ view, el }, i) => {
  // a tab chosen again loads its report anew (new orders may have come in)
  el.addEventListener('click', () => (reloadReport(), go({ view, page: 1, cursor: '', zoom: undefined })));
  // Arrow keys move between tabs, as the ARIA tabs pattern expects.
  el.addEventListener('keydown', (event) => {
    /** @type {Record<string, number>} */
    const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const target = tabs[(to + tabs.length) % tabs.length]?.el;
    target?.focus();
    target?.click();
  });
});

byId('logout').addEventListener('click', async () => {
  try {
    await session.logout();
  } finally {
    leave();
  }
});
window.addEventListener('hashchange', render);

try {
  const current = await session.current();
  byId('booting').remove();
  if (current) enter(current);
  else leave();
} catch {
  showMessage(byId('booting'), 'The collector could not be reached. Reload the page to try again.', 'error');
}
