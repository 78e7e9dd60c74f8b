// Numbers and dates in the viewer's locale; money in the row's own currency.
const moneyFormats = new Map();

export function money(value, currency) {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  if (!currency) return n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  let fmt = moneyFormats.get(currency);
  if (!fmt) {
    try {
      fmt = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      // A code Intl does not know still shows, as "12.50 XYZ".
      fmt = { format: (x) => `${x.toLocaleString(undefined, { minimumFractionDigits: 2 })} ${currency}` };
    }
    moneyFormats.set(currency, fmt);
  }
  return fmt.format(n);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A row time: epoch ms or an ISO string. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return undefined;
  const d = new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function dateTimeText(value) {
  const d = toDate(value);
  return d ? dateTime.format(d) : '';
}

/** A UTC calendar day (YYYY-MM-DD) as the viewer writes dates. */
export function dayText(isoDay) {
  return dateOnly.format(new Date(`${isoDay}T00:00:00Z`));
}

export function count(value) {
  return Number(value ?? 0).toLocaleString();
}

export function percent(ratio) {
  return Number(ratio ?? 0).toLocaleString(undefined, { style: 'percent', maximumFractionDigits: 1 });
}
