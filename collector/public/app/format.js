// @ts-check
// Numbers and dates in the viewer's locale (money is in money.js).

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/**
 * A row time: epoch ms or an ISO string.
 * @param {Date | string | number | null | undefined} value
 * @returns {Date | undefined}
 */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return undefined;
  const d = new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** @param {Date | string | number | null | undefined} value */
export function dateTimeText(value) {
  const d = toDate(value);
  return d ? dateTime.format(d) : '';
}

/**
 * A UTC calendar day (YYYY-MM-DD) as the viewer writes dates.
 * @param {string} isoDay
 */
export function dayText(isoDay) {
  return dateOnly.format(new Date(`${isoDay}T00:00:00Z`));
}

/** @param {number | null | undefined} value */
export function count(value) {
  return Number(value ?? 0).toLocaleString();
}

/** @param {number | null | undefined} ratio */
export function percent(ratio) {
  return Number(ratio ?? 0).toLocaleString(undefined, { style: 'percent', maximumFractionDigits: 1 });
}

/** A wait in words, as the collector's Retry-After gives it: "5 seconds", "1 minute", "15 minutes". @param {number} seconds */
export function waitText(seconds) {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
