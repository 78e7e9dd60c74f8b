// @ts-check
// Element builder for the dashboard. Tracked data is hostile (docs/dashboard.md, "Hostile
// data"), so strings only ever become text nodes: nothing here, or anywhere in the
// dashboard, touches innerHTML.

/** @typedef {Node | string | number | undefined | null | false} Child */
/** @typedef {Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>} Attrs */

/**
 * h('td', { class: 'num', title: 'x' }, 'text', childNode)
 * Attributes go through setAttribute; `on<event>` keys add listeners.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false).map(toNode));
  return el;
}

/** @param {Node | string | number} child */
function toNode(child) {
  return child instanceof Node ? child : document.createTextNode(String(child));
}

/**
 * The element the markup has under an ID, of the type the caller needs.
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {{ new (): E }} [type] e.g. HTMLInputElement
 * @returns {E}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof (type ?? HTMLElement))) throw new Error(`dashboard markup lacks #${id}${type ? ` (${type.name})` : ''}`);
  return /** @type {E} */ (el);
}

/**
 * Shows a message (or hides the element when text is empty).
 * @param {HTMLElement} el
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function showMessage(el, text, kind = 'info') {
  el.textContent = text;
  el.hidden = !text;
  el.className = `message message-${kind}`;
}
