import { describe, expect, it } from 'vitest';
import { decideTick, DueSchedule, latestFireAtOrBefore, nextFireAfter, ON_TIME_MS, tickKey, validateCronSpec } from '../../src/domain/cron-schedule';
import { BadInputError } from '../../src/domain/errors';

const at = (iso: string) => new Date(iso);

describe('cron specs', () => {
  it('accept 5 fields, or 6 with seconds first', () => {
    expect(validateCronSpec({ cron: ' 0  9 * * 1-5 ', timezone: 'Europe/Berlin' })).toEqual({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    expect(nextFireAfter({ cron: '*/2 * * * * *', timezone: 'UTC' }, at('2026-01-01T00:00:01.500Z'))).toEqual(at('2026-01-01T00:00:02.000Z'));
    expect(nextFireAfter({ cron: '*/15 * * * *', timezone: 'UTC' }, at('2026-01-01T00:00:00Z'))).toEqual(at('2026-01-01T00:15:00Z'));
  });

  it.each([
    ['* * * *', 'UTC', 'cron', /5 fields/],
    ['* * * * * * *', 'UTC', 'cron', /5 fields/],
    ['61 * * * *', 'UTC', 'cron', /not a valid cron/],
    ['* * * * *', 'Mars/Olympus', 'timezone', /IANA time zone/],
  ])('refuse %s in %s as BAD_USER_INPUT naming the field', (cron, timezone, field, message) => {
    let error: unknown;
    try {
      validateCronSpec({ cron, timezone });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).extensions.field).toBe(field);
    expect((error as BadInputError).message).toMatch(message);
  });

  it('read the pattern in the zone: a 02:30 tick on a spring-forward day fires once', () => {
    const spec = { cron: '30 2 * * *', timezone: 'America/New_York' };
    // 2026-03-08: clocks jump from 02:00 to 03:00 EST->EDT; 02:30 does not exist.
    const ticks = [];
    let t = at('2026-03-07T12:00:00Z');
    for (let i = 0; i < 3; i++) ticks.push((t = nextFireAfter(spec, t)!).toISOString());
    expect(ticks).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
  });

  it('a 01:30 tick on a fall-back day fires once, not twice', () => {
    const spec = { cron: '30 1 * * *', timezone: 'America/New_York' };
    const ticks = [];
    let t = at('2026-10-31T12:00:00Z');
    for (let i = 0; i < 2; i++) ticks.push((t = nextFireAfter(spec, t)!).toISOString());
    expect(ticks).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('latest tick at or before an instant includes the instant itself', () => {
    const spec = { cron: '*/2 * * * * *', timezone: 'UTC' };
    expect(latestFireAtOrBefore(spec, at('2026-01-01T00:00:04.000Z'))).toEqual(at('2026-01-01T00:00:04.000Z'));
    expect(latestFireAtOrBefore(spec, at('2026-01-01T00:00:05.999Z'))).toEqual(at('2026-01-01T00:00:04.000Z'));
  });
});

describe('decideTick', () => {
  const base: DueSchedule = {
    cron: '* * * * *',
    timezone: 'UTC',
    nextRunAt: at('2026-01-01T10:00:00Z'),
    catchUp: 'LATEST',
    overlap: 'SKIP',
    previousRunUnfinished: false,
  };

  it('fires the due tick on time and waits for the next', () => {
    expect(decideTick(base, at('2026-01-01T10:00:00.050Z'))).toEqual({ fireAt: at('2026-01-01T10:00:00Z'), skipped: null, nextRunAt: at('2026-01-01T10:01:00Z') });
  });

  it('after downtime, LATEST fires the most recent missed tick once; NONE fires nothing', () => {
    const later = at('2026-01-01T12:34:10Z');
    expect(decideTick(base, later)).toEqual({ fireAt: at('2026-01-01T12:34:00Z'), skipped: null, nextRunAt: at('2026-01-01T12:35:00Z') });
    expect(decideTick({ ...base, catchUp: 'NONE' }, later)).toEqual({ fireAt: null, skipped: 'missed', nextRunAt: at('2026-01-01T12:35:00Z') });
    // NONE still fires a tick reached on time.
    expect(decideTick({ ...base, catchUp: 'NONE' }, at('2026-01-01T10:00:01Z')).fireAt).toEqual(at('2026-01-01T10:00:00Z'));
  });

  it('SKIP creates nothing while the previous run is unfinished; ALLOW fires anyway', () => {
    const now = at('2026-01-01T10:00:00.010Z');
    expect(decideTick({ ...base, previousRunUnfinished: true }, now)).toMatchObject({ fireAt: null, skipped: 'overlap', nextRunAt: at('2026-01-01T10:01:00Z') });
    expect(decideTick({ ...base, overlap: 'ALLOW', previousRunUnfinished: true }, now).fireAt).toEqual(at('2026-01-01T10:00:00Z'));
  });

  it('names each tick uniquely per schedule', () => {
    expect(tickKey('s1', at('2026-01-01T10:00:00Z'))).toBe('schedule:s1:2026-01-01T10:00:00.000Z');
  });
});

describe('cron spec refusals, word for word', () => {
  const refusal = (cron: string, timezone = 'UTC'): BadInputError => {
    try {
      validateCronSpec({ cron, timezone });
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      return e as BadInputError;
    }
    throw new Error(`"${cron}" in ${timezone} was accepted`);
  };

  it('counts the fields it got, 0 for a blank pattern', () => {
    expect(refusal('   ').message).toBe('cron must have 5 fields (minute hour day month weekday) or 6 with seconds first, got 0: "   "');
    expect(refusal('* * * *').message).toBe('cron must have 5 fields (minute hour day month weekday) or 6 with seconds first, got 4: "* * * *"');
    expect(refusal(`* * * * * * ${'x'.repeat(200)}`).message).toContain(`got 7: "* * * * * * ${'x'.repeat(88)}"`);
  });

  it("passes on croner's reason without its prefix", () => {
    const e = refusal('61 * * * *');
    expect(e.message).toBe('cron "61 * * * *" is not a valid cron expression: Invalid value for minute: 61');
    expect(e.extensions).toEqual({ field: 'cron' });
  });

  it('refuses a pattern that never fires (February 30th)', () => {
    const e = refusal('0 0 30 2 *');
    expect(e.message).toBe('cron "0 0 30 2 *" never fires');
    expect(e.extensions).toEqual({ field: 'cron' });
  });

  it('names the zone it could not read, and trims the one it keeps', () => {
    const e = refusal('* * * * *', 'Mars/Olympus');
    expect(e.message).toBe('timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "Mars/Olympus"');
    expect(e.extensions).toEqual({ field: 'timezone' });
    expect(validateCronSpec({ cron: '0 9 * * *', timezone: ' Europe/Berlin ' })).toEqual({ cron: '0 9 * * *', timezone: 'Europe/Berlin' });
  });

  it('accepts 6 fields (seconds first) as well as 5', () => {
    expect(validateCronSpec({ cron: '*/10 * * * * *', timezone: 'UTC' })).toEqual({ cron: '*/10 * * * * *', timezone: 'UTC' });
  });

  it('quotes at most 100 characters of what it refuses', () => {
    const zone = `Mars/${'x'.repeat(200)}`;
    expect(refusal('* * * * *', zone).message).toBe(`timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "${zone.slice(0, 100)}"`);
    const invalid = `61 * * * ${'1,'.repeat(100)}1`;
    expect(refusal(invalid).message).toMatch(new RegExp(`^cron "${invalid.slice(0, 100).replace(/\*/g, '\\*')}" is not a valid cron expression: `));
    const never = `0 0 ${'30,'.repeat(40)}30 2 *`;
    expect(refusal(never).message).toBe(`cron "${never.slice(0, 100)}" never fires`);
  });

  it('has no tick before the first one', () => {
    expect(latestFireAtOrBefore({ cron: '0 0 1 1 *', timezone: 'UTC' }, new Date(-1e15))).toBeNull();
  });
});

describe('decideTick at the edges', () => {
  const base: DueSchedule = {
    cron: '* * * * *',
    timezone: 'UTC',
    nextRunAt: at('2026-01-01T10:00:00Z'),
    catchUp: 'NONE',
    overlap: 'SKIP',
    previousRunUnfinished: false,
  };

  it('NONE: a tick reached exactly ON_TIME_MS late is still on time, one millisecond more is missed', () => {
    expect(ON_TIME_MS).toBe(10_000);
    expect(decideTick(base, at('2026-01-01T10:00:10.000Z')).fireAt).toEqual(at('2026-01-01T10:00:00Z'));
    expect(decideTick(base, at('2026-01-01T10:00:10.001Z'))).toMatchObject({ fireAt: null, skipped: 'missed' });
    expect(decideTick(base, at('2026-01-01T10:00:02.000Z'), 1000)).toMatchObject({ fireAt: null, skipped: 'missed' });
  });

  it('never fires earlier than the tick it was waiting for', () => {
    // nextRunAt off the pattern's grid (an edited schedule): the latest grid tick is before it.
    const s = { ...base, catchUp: 'LATEST' as const, nextRunAt: at('2026-01-01T10:00:30Z') };
    expect(decideTick(s, at('2026-01-01T10:00:40Z'))).toEqual({ fireAt: at('2026-01-01T10:00:30Z'), skipped: null, nextRunAt: at('2026-01-01T10:01:00Z') });
  });

  it('a missed tick is skipped even when the previous run is unfinished, and says so', () => {
    expect(decideTick({ ...base, previousRunUnfinished: true }, at('2026-01-01T11:00:00Z'))).toEqual({ fireAt: null, skipped: 'missed', nextRunAt: at('2026-01-01T11:01:00Z') });
  });
});
