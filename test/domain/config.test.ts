import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('has named defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 4000, host: '0.0.0.0', databaseUrl: null, defaultLeaseSeconds: 30, sweepIntervalMs: 2000, eventRetentionHours: 72, logLevel: 'info' });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SWEEP_INTERVAL_MS: '600000' }, /SWEEP_INTERVAL_MS must be between/],
    [{ DEFAULT_LEASE_SECONDS: '0' }, /DEFAULT_LEASE_SECONDS/],
    [{ DATABASE_URL: 'postgres://p/db', DATABASE_POOLER: 'session' }, /DATABASE_POOLER must be "transaction" or "none"/],
    [{ DATABASE_URL: 'postgres://p/db', DATABASE_DIRECT_URL: 'http://x' }, /DATABASE_DIRECT_URL must be a postgres/],
    [{ DATABASE_DIRECT_URL: 'postgres://direct/db' }, /DATABASE_DIRECT_URL is set but DATABASE_URL is not/],
    [{ AUTH_MODE: 'off' }, /AUTH_MODE=off .* HOST is "0.0.0.0"/],
    [{ AUTH_MODE: 'off', HOST: '192.168.1.5' }, /AUTH_MODE=off/],
    [{ AUTH_MODE: 'maybe' }, /AUTH_MODE must be "on" or "off"/],
    [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN must be 32 to 512 characters/],
    [{ QUERY_MAX_DEPTH: '1' }, /QUERY_MAX_DEPTH must be between/],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, /RATE_LIMIT_PER_MINUTE/],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('a direct URL next to DATABASE_URL means DATABASE_URL is a transaction pooler, unless DATABASE_POOLER says otherwise', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://p/db' })).toMatchObject({ databasePooler: 'none', databaseDirectUrl: null });
    expect(loadConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_DIRECT_URL: 'postgres://d/db' })).toMatchObject({
      databasePooler: 'transaction',
      databaseDirectUrl: 'postgres://d/db',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_DIRECT_URL: 'postgres://d/db', DATABASE_POOLER: 'none' }).databasePooler).toBe('none');
    expect(loadConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_POOLER: 'transaction' }).databasePooler).toBe('transaction');
  });

  it('accepts AUTH_MODE=off on a loopback HOST only, and an ADMIN_TOKEN of 32+ characters', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) expect(loadConfig({ AUTH_MODE: 'off', HOST: host }).authMode).toBe('off');
    expect(loadConfig({ ADMIN_TOKEN: 'x'.repeat(32) }).adminToken).toBe('x'.repeat(32));
    expect(loadConfig({}).adminToken).toBeNull();
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
  });
});
