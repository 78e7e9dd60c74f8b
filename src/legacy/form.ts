// Reads the legacy <form name="emsform">: order, total, tax, shipping, city, country, and
// repeated ems_items[] as `code;category;name;price;quantity`, every item field optional.
// Amounts and quantities are checked here, so a doubtful value is never sent; lengths and
// control characters the collector checks, and its reason is shown. (The SDK's input.ts
// checks all of it, but would not fit dist/emstrack.js's 1,500 bytes.)
import { MONEY_PATTERN } from '../protocol/constants.js';
import type { Item } from '../protocol/schema.js';

export interface LegacyForm {
  order?: string;
  total?: string;
  tax?: string;
  shipping?: string;
  city?: string;
  country?: string;
  items: Item[];
}

const MONEY = new RegExp(MONEY_PATTERN);

function check(field: string, value: string, pattern = MONEY): string {
  if (!pattern.test(value)) throw Error(`${field}: "${value}" is not ${pattern == MONEY ? 'an amount like 2999.00' : 'a whole number'}`);
  return value;
}

function item(value: string, i: number): Item {
  const [sku, category, name, price, quantity] = value.split(';').map((s) => s.trim());
  const at = `ems_items[${i}].`;
  // The protocol needs a product code and a unit price; the old form made both optional.
  return {
    sku: sku || '-',
    category: category || undefined,
    name: name || undefined,
    price: price ? check(at + 'price', price) : '0',
    quantity: quantity ? +check(at + 'quantity', quantity, /^[1-9]\d{0,5}$/) : 1,
  };
}

export function readForm(): LegacyForm {
  const form = document.forms.namedItem('emsform');
  if (!form) throw Error('no <form name="emsform">');
  const out: LegacyForm = { items: [] };
  new FormData(form).forEach((raw, name) => {
    const value = (raw as string).trim();
    if (!value) return;
    if (name == 'ems_items[]') out.items.push(item(value, out.items.length));
    else if (/^(total|tax|shipping)$/.test(name)) out[name as 'total'] = check(name, value);
    else if (/^(order|city|country)$/.test(name)) out[name as 'order'] = value;
  });
  return out;
}
