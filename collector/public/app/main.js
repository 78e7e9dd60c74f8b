// Entry point: checks the session, then renders whatever the URL hash names, and turns
// 401 and 403 answers into the login form and a clear message.
import { ApiError, session } from './api.js';
import { byId, showMessage } from './dom.js';
import { loadCampaigns, resetCampaigns, syncFilters } from './filters.js';
import { hideLogin, showLogin } from './login.js';
import { renderReport, resetReport } from './report.js';
import { go, readState } from './state.js';
import { syncZoom } from './zoom.js';

const app = byId('app');
const account = byId('account');
const panelMessage = byId('panel-message');
const tabs = [...byId('tabs').querySelectorAll('[role=tab]')];
let user;

function enter(loggedIn) {
  user = loggedIn;
  hideLogin();
  app.hidden = false;
  app.classList.remove('denied');
  account.hidden = false;
  byId('account-name').textContent = `${user.email} · ${user.customerName || `Customer ${user.customerId}`}`;
  byId('app-title').focus();
  loadCampaigns(user.customerId).then(() => syncFilters(readState()), handleError);
  render();
}

function leave(reason) {
  user = undefined;
  resetReport();
  resetCampaigns();
  syncZoom(undefined);
  app.hidden = true;
  account.hidden = true;
  showLogin(reason, enter);
}

function render() {
  if (!user) return;
  const state = readState();
  for (const tab of tabs) {
    const selected = tab.dataset.view === state.view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected) tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
  byId('panel').setAttribute('aria-labelledby', `tab-${state.view}`);
  syncFilters(state);
  renderReport(state, user).catch(handleError);
  syncZoom(state.zoom, user, handleError);
}

function handleError(err) {
  if (err instanceof ApiError && err.status === 401) {
    leave('Your session has ended. Please log in again.');
  } else if (err instanceof ApiError && err.status === 403) {
    app.classList.add('denied');
    resetReport();
    byId('panel-title').textContent = 'No access';
    showMessage(panelMessage, 'Your user lacks the ecommerce-admin role for this account, so its ecommerce reports are not shown. Ask an admin of the account for the role.', 'error');
  } else {
    showMessage(panelMessage, `The report could not be loaded: ${err.message}. Please try again.`, 'error');
  }
}

for (const tab of tabs) {
  tab.addEventListener('click', () => go({ view: tab.dataset.view, page: 1, cursor: '', zoom: undefined }));
  // Arrow keys move between tabs, as the ARIA tabs pattern expects.
  tab.addEventListener('keydown', (event) => {
    const i = tabs.indexOf(tab);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const target = tabs[(to + tabs.length) % tabs.length];
    target.focus();
    target.click();
  });
}

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
