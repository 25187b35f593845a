import type { Frequency } from './edition.js';

function partsIn(date: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The calendar day in a time zone, as YYYY-MM-DD. */
export function localDay(date: Date, timeZone: string): string {
  const { year, month, day } = partsIn(date, timeZone);
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** The ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), as YYYY-Www. */
export function isoWeek(date: Date, timeZone: string): string {
  const { year, month, day } = partsIn(date, timeZone);
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const weekYear = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad(week)}`;
}

/** The schedule period an edition of this frequency belongs to at a given moment. */
export function periodOf(frequency: Frequency, date: Date, timeZone: string): string {
  return frequency === 'daily' ? localDay(date, timeZone) : isoWeek(date, timeZone);
}

/** The hour (0-23) of the wall clock in a time zone. */
export function localHour(date: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(date));
}
