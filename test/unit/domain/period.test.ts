import { describe, expect, it } from 'vitest';
import { isoWeek, localDay, periodOf } from '../../../src/domain/period.js';

describe('schedule periods', () => {
  it('names the local day in the digest time zone', () => {
    const t = new Date('2026-11-29T23:30:00Z');
    expect(localDay(t, 'UTC')).toBe('2026-11-29');
    expect(localDay(t, 'Europe/Berlin')).toBe('2026-11-30');
    expect(localDay(t, 'America/Los_Angeles')).toBe('2026-11-29');
  });

  it.each([
    ['2026-01-01T12:00:00Z', '2026-W01'], // a Thursday
    ['2027-01-01T12:00:00Z', '2026-W53'], // a Friday: still the last week of 2026
    ['2024-12-30T12:00:00Z', '2025-W01'], // a Monday that belongs to next year's week 1
    ['2026-11-29T12:00:00Z', '2026-W48'], // a Sunday
    ['2026-11-30T12:00:00Z', '2026-W49'], // the next Monday
  ])('ISO week of %s is %s', (iso, week) => {
    expect(isoWeek(new Date(iso), 'UTC')).toBe(week);
  });

  it('picks the period by frequency', () => {
    const t = new Date('2026-11-29T08:00:00Z');
    expect(periodOf('daily', t, 'UTC')).toBe('2026-11-29');
    expect(periodOf('weekly', t, 'UTC')).toBe('2026-W48');
  });
});
