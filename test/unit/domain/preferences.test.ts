import { describe, expect, it } from 'vitest';
import { isTimeZone, parsePreferences } from '../../../src/domain/preferences.js';

describe('preference validation', () => {
  it('accepts a form and a JSON body', () => {
    expect(parsePreferences({ frequency: 'weekly', topics: 'diffusion, cs.LG', max_papers: '5', send_hour: '7', timezone: 'Europe/Berlin' })).toEqual({
      ok: true,
      value: { frequency: 'weekly', topics: ['diffusion', 'cs.LG'], maxPapers: 5, sendHour: 7, timezone: 'Europe/Berlin' },
    });
    expect(parsePreferences({ frequency: 'paused', topics: ['reinforcement learning'], max_papers: 30, send_hour: 0 })).toEqual({
      ok: true,
      value: { frequency: 'paused', topics: ['reinforcement learning'], maxPapers: 30, sendHour: 0 },
    });
    // A field left out keeps the reader's value; an empty box resets papers per digest to the default.
    expect(parsePreferences({ frequency: 'daily', max_papers: '' })).toEqual({ ok: true, value: { frequency: 'daily', maxPapers: null, topics: [] } });
    expect(parsePreferences({ frequency: 'daily' })).toEqual({ ok: true, value: { frequency: 'daily', topics: [] } });
  });

  it('reads the weekday as a number (JSON or form) or a name', () => {
    for (const day of [5, '5', 'friday', ' Friday '])
      expect(parsePreferences({ frequency: 'weekly', send_day: day })).toMatchObject({ ok: true, value: { sendDay: 5 } });
    for (const bad of [0, 8, '8', 'Funday', 2.5]) expect(parsePreferences({ frequency: 'weekly', send_day: bad })).toMatchObject({ ok: false });
  });

  it.each([
    [{ frequency: 'hourly' }, /daily, weekly or paused/],
    [{ frequency: 'daily', max_papers: '0' }, /1 to 30/],
    [{ frequency: 'daily', max_papers: '31' }, /1 to 30/],
    [{ frequency: 'daily', max_papers: '2.5' }, /1 to 30/],
    [{ frequency: 'daily', send_hour: '24' }, /0 to 23/],
    [{ frequency: 'daily', send_hour: '-1' }, /0 to 23/],
    [{ frequency: 'daily', timezone: 'Mars/Olympus' }, /not a time zone/],
    [{ frequency: 'daily', timezone: 'Europe/Berlin\r\nX: y' }, /line breaks/],
    [{ frequency: 'daily', topics: 'a'.repeat(61) }, /not a topic/],
    [{ frequency: 'daily', topics: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /at most 20/],
    [{ frequency: 'daily', topics: [1, 2] }, /must be text/],
    [null, /form or a JSON object/],
  ])('rejects %j', (body, message) => {
    const r = parsePreferences(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('knows time zones', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Nowhere/Land')).toBe(false);
    expect(isTimeZone('../etc')).toBe(false);
  });
});
