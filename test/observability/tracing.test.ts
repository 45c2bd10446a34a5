import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startServerProcess, ServerProcess } from '../helpers/server-process';
import { AUTH_HEADERS } from '../helpers/auth';
import { waitUntil } from '../helpers/ws-client';

interface Span {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** An in-process OTLP/HTTP receiver: collects the JSON export requests sent to /v1/traces. */
let receiver: http.Server;
let receiverPort: number;
const spans: Span[] = [];
const services = new Set<string>();
let db: TestDatabase;
let proc: ServerProcess;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.method === 'POST') {
        const payload = JSON.parse(body) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: Span[] }[] }[];
        };
        for (const rs of payload.resourceSpans) {
          for (const a of rs.resource.attributes) if (a.key === 'service.name' && a.value.stringValue) services.add(a.value.stringValue);
          for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
      }
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as { port: number }).port;
  db = await createTestDatabase();
  proc = await startServerProcess({ databaseUrl: db.url, env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}` } });
}, 60_000);

afterAll(async () => {
  await proc?.stop();
  await db?.drop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('exports spans for the HTTP request, the GraphQL operation and its SQL, in one trace', async () => {
    const res = await fetch(proc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query: 'mutation TracedCreate { createProject(input: { name: "traced" }) { id } }', operationName: 'TracedCreate' }),
    });
    expect(res.status).toBe(200);
    const attr = (s: Span, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;
    const execute = () => spans.find((s) => s.name.startsWith('mutation') || (s.name === 'graphql.execute' && attr(s, 'graphql.operation.name') === 'TracedCreate'));
    await waitUntil(() => execute() !== undefined && spans.some((s) => /^POST\b/.test(s.name)) && spans.some((s) => s.name.startsWith('pg.query')), 20_000, 'the spans to arrive');
    const server = spans.find((s) => /^POST\b/.test(s.name))!;
    const op = execute()!;
    expect(attr(op, 'graphql.operation.name')).toBe('TracedCreate');
    expect(op.traceId).toBe(server.traceId);
    const sql = spans.filter((s) => s.name.startsWith('pg.query') && s.traceId === server.traceId);
    expect(sql.length).toBeGreaterThan(0);
    expect(services).toEqual(new Set(['task-scheduler']));
    // Probes are not traced: a probe, then a traced query; once the query's span is in, no probe span is.
    await fetch(proc.url.replace(/\/graphql$/, '/readyz'));
    await fetch(proc.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH_HEADERS }, body: JSON.stringify({ query: 'query AfterProbe { projects { id } }' }) });
    await waitUntil(() => spans.some((s) => attr(s, 'graphql.operation.name') === 'AfterProbe'), 20_000, 'the span after the probe');
    expect(spans.some((s) => attr(s, 'http.target') === '/readyz' || attr(s, 'url.path') === '/readyz')).toBe(false);
  });
});
