import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('operations configuration', () => {
  it('has defaults: metrics on 9464, slow operations over 1 s, no shutdown delay, no tracing', () => {
    expect(loadConfig({})).toMatchObject({ metricsPort: 9464, slowOperationMs: 1_000, shutdownDelayMs: 0, otlpEndpoint: null });
  });

  it('reads METRICS_PORT as a port, 0 for any free one, or off', () => {
    expect(loadConfig({ METRICS_PORT: '9100' }).metricsPort).toBe(9100);
    expect(loadConfig({ METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(loadConfig({ METRICS_PORT: 'off' }).metricsPort).toBeNull();
    expect(() => loadConfig({ METRICS_PORT: 'yes' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(ConfigError);
  });

  it('refuses invalid SLOW_OPERATION_MS, SHUTDOWN_DELAY_MS and OTEL_EXPORTER_OTLP_ENDPOINT, naming them', () => {
    expect(() => loadConfig({ SLOW_OPERATION_MS: '0' })).toThrow(/SLOW_OPERATION_MS/);
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '-5' })).toThrow(/SHUTDOWN_DELAY_MS/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint).toBe('http://collector:4318');
  });
});
