import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('has named defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, host: '0.0.0.0', databaseUrl: null, defaultLeaseSeconds: 30, sweepIntervalMs: 2000, eventRetentionHours: 72, logLevel: 'info' });
  });

  it('keeps finished tasks RETENTION_DAYS (default 14), overridable per status; 0 keeps them forever', () => {
    expect(loadConfig({}).retentionDays).toEqual({ COMPLETED: 14, FAILED: 14, CANCELLED: 14 });
    expect(loadConfig({ RETENTION_DAYS: '30', RETENTION_DAYS_FAILED: '90', RETENTION_DAYS_CANCELLED: '0' }).retentionDays).toEqual({ COMPLETED: 30, FAILED: 90, CANCELLED: 0 });
  });

  it.each([
    [{ RETENTION_DAYS: '-1' }, /RETENTION_DAYS must be between 0 and 36500/],
    [{ RETENTION_DAYS_COMPLETED: 'soon' }, /RETENTION_DAYS_COMPLETED must be a whole number/],
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SWEEP_INTERVAL_MS: '600000' }, /SWEEP_INTERVAL_MS must be between/],
    [{ DEFAULT_LEASE_SECONDS: '0' }, /DEFAULT_LEASE_SECONDS/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
