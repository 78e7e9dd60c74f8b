// @ts-check
// The date-range, campaign and direct-traffic filters. They apply on submit, so a date
// typed digit by digit does not fire a report request per keystroke.
import { getReport } from './api.js';
import { byId, h } from './dom.js';
import { reloadReport } from './report.js';
import { go } from './state.js';

const form = byId('filters', HTMLFormElement);
const from = byId('filter-from', HTMLInputElement);
const to = byId('filter-to', HTMLInputElement);
const campaign = byId('filter-campaign', HTMLSelectElement);
const all = byId('filter-all', HTMLInputElement);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (from.value && to.value && from.value > to.value) {
    to.setCustomValidity('“To” must not be before “From”.');
    to.reportValidity();
    return;
  }
  to.setCustomValidity('');
  // Apply loads the report anew even when the filters did not change (new orders may have come in)
  reloadReport();
  go({ from: from.value, to: to.value, campaign: campaign.value, all: all.checked, page: 1, cursor: '' });
});
// either date corrected clears the error (while it stands, the browser blocks the submit)
for (const date of [from, to]) date.addEventListener('input', () => to.setCustomValidity(''));
byId('filters-reset').addEventListener('click', () => {
  to.setCustomValidity('');
  go({ from: '', to: '', campaign: '', all: false, page: 1, cursor: '' });
});

/** @param {import('./state.js').State} state */
export function syncFilters(state) {
  from.value = state.from;
  to.value = state.to;
  all.checked = state.all;
  ensureOption(state.campaign);
  campaign.value = state.campaign;
}

/** A campaign from a shared link that is not in the list still shows (by its ID). @param {string} id */
function ensureOption(id) {
  if (id && ![...campaign.options].some((o) => o.value === id)) campaign.append(h('option', { value: id }, `Campaign ${id}`));
}

/** Fills the campaign list from the collector's directory. @param {string} customerId */
export async function loadCampaigns(customerId) {
  const selected = campaign.value;
  /** @type {import('./api.js').ReportPage<import('./api.js').CampaignRow>} */
  const { rows } = await getReport(customerId, 'campaigns', {});
  const sorted = [...rows].sort((a, b) => (a.name || a.campaignId).localeCompare(b.name || b.campaignId));
  campaign.replaceChildren(
    h('option', { value: '' }, 'All campaigns'),
    // the name isolated (U+2068…U+2069): a right-to-left name must not carry the ID into its middle
    ...sorted.map((c) => h('option', { value: c.campaignId }, c.name ? `\u2068${c.name}\u2069 (${c.campaignId})` : `Campaign ${c.campaignId}`)),
  );
  ensureOption(selected);
  campaign.value = selected;
}

export function resetCampaigns() {
  campaign.replaceChildren(h('option', { value: '' }, 'All campaigns'));
}
