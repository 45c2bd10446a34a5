import { Cron } from 'croner';
import { BadInputError } from './errors';

/**
 * Cron schedules: the pure rules (next fire time, catch-up, overlap). No clock of its own: every
 * function takes the instant it reasons about, so tests drive time by hand.
 *
 * Fire times come from croner, which evaluates the pattern in the schedule's IANA zone: a 02:30
 * tick on a spring-forward day fires once (at 03:00 local, the first instant that exists), and a
 * 01:30 tick on a fall-back day fires once (the first 01:30).
 */
export type OverlapPolicy = 'SKIP' | 'ALLOW';
export type CatchUpPolicy = 'NONE' | 'LATEST';

export interface CronSpec {
  cron: string;
  timezone: string;
}

/**
 * With catchUp NONE, a tick is "on time" while the sweeper reaches it within this long; a tick
 * found later than that (the service was down) is skipped. Generous against a slow machine,
 * short against a real outage.
 */
export const ON_TIME_MS = 10_000;

function pattern(spec: CronSpec): Cron {
  return new Cron(spec.cron, { timezone: spec.timezone, paused: true });
}

/** Refuses what cannot be scheduled, naming the field: BAD_USER_INPUT. */
export function validateCronSpec(spec: CronSpec): CronSpec {
  const cron = spec.cron.trim().replace(/\s+/g, ' ');
  const fields = cron === '' ? 0 : cron.split(' ').length;
  if (fields !== 5 && fields !== 6) {
    throw new BadInputError(`cron must have 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields}: "${spec.cron.slice(0, 100)}"`, { field: 'cron' });
  }
  const timezone = spec.timezone.trim();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new BadInputError(`timezone must be an IANA time zone such as "UTC" or "Europe/Berlin", got "${spec.timezone.slice(0, 100)}"`, { field: 'timezone' });
  }
  let next: Date | null;
  try {
    next = pattern({ cron, timezone }).nextRun(new Date(0));
  } catch (e) {
    throw new BadInputError(`cron "${spec.cron.slice(0, 100)}" is not a valid cron expression: ${(e as Error).message.replace(/^CronPattern: /, '')}`, { field: 'cron' });
  }
  if (next === null) throw new BadInputError(`cron "${spec.cron.slice(0, 100)}" never fires`, { field: 'cron' });
  return { cron, timezone };
}

/** The first tick strictly after `after`, or null when the pattern has no more. */
export function nextFireAfter(spec: CronSpec, after: Date): Date | null {
  return pattern(spec).nextRun(after);
}

/** The latest tick at or before `at`. */
export function latestFireAtOrBefore(spec: CronSpec, at: Date): Date | null {
  return pattern(spec).previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

export interface DueSchedule extends CronSpec {
  /** The tick the schedule was waiting for (<= now when called). */
  nextRunAt: Date;
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
  /** The schedule's previous task exists and is not finished yet. */
  previousRunUnfinished: boolean;
}

export interface TickDecision {
  /** The tick to create a task for, or null when nothing is created. */
  fireAt: Date | null;
  /** Why nothing was created, when nothing is. */
  skipped: 'overlap' | 'missed' | null;
  /** The tick to wait for next (strictly after now). */
  nextRunAt: Date | null;
}

/**
 * What a due schedule does at `now`: at most one task, for the most recent due tick (earlier
 * missed ticks are never replayed). catchUp LATEST fires it however late; NONE only when the
 * schedule's awaited tick is reached on time (within ON_TIME_MS). overlap SKIP creates nothing while the previous run is unfinished.
 */
export function decideTick(s: DueSchedule, now: Date, onTimeMs = ON_TIME_MS): TickDecision {
  const latest = latestFireAtOrBefore(s, now);
  const nextRunAt = nextFireAfter(s, now);
  const tick = latest && latest.getTime() >= s.nextRunAt.getTime() ? latest : s.nextRunAt;
  // NONE: the tick the schedule was waiting for came too late (the service was down): skip it
  // and every tick since, and wait for the next.
  if (s.catchUp === 'NONE' && now.getTime() - s.nextRunAt.getTime() > onTimeMs) return { fireAt: null, skipped: 'missed', nextRunAt };
  if (s.overlap === 'SKIP' && s.previousRunUnfinished) return { fireAt: null, skipped: 'overlap', nextRunAt };
  return { fireAt: tick, skipped: null, nextRunAt };
}

/** The unique key of a tick's task: any number of instances create it at most once. */
export function tickKey(scheduleId: string, fireAt: Date): string {
  return `schedule:${scheduleId}:${fireAt.toISOString()}`;
}
