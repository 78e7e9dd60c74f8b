// Element builder for the dashboard. Tracked data is hostile (SPEC 5.6), so strings only
// ever become text nodes: nothing here, or anywhere in the dashboard, touches innerHTML.

/**
 * h('td', { class: 'num', title: 'x' }, 'text', childNode)
 * Attributes go through setAttribute; `on<event>` keys add listeners.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false).map(toNode));
  return el;
}

function toNode(child) {
  return child instanceof Node ? child : document.createTextNode(String(child));
}

export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard markup lacks #${id}`);
  return el;
}

/** Shows a message (or hides the element when text is empty). */
export function showMessage(el, text, kind = 'info') {
  el.textContent = text;
  el.hidden = !text;
  el.className = `message message-${kind}`;
}
