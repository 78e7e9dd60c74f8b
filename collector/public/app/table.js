// @ts-check
// Renders rows as an accessible table. On a phone the CSS stacks each row into a card and
// labels every cell from data-label (a column title, never tracked data).
import { h } from './dom.js';

/**
 * @template R
 * @param {import('./columns.js').Column<R>[]} columns
 * @param {R[]} rows
 * @param {import('./columns.js').CellContext} ctx
 * @param {string} caption
 */
export function renderTable(columns, rows, ctx, caption) {
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.label)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h('tr', {}, columns.map((c) => h('td', { 'data-label': c.label, class: c.numeric ? 'num' : undefined }, c.cell(row, ctx)))),
      ),
    ),
  );
}
