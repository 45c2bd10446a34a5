import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

export interface Tracing {
  /** Sends the spans still buffered and stops (called on shutdown). */
  shutdown(): Promise<void>;
}

/** Probes and scrapes are not worth a trace each. */
const UNTRACED_PATHS = ['/livez', '/readyz', '/healthz', '/metrics'];

/**
 * OpenTelemetry tracing to an OTLP/HTTP collector (JSON over HTTP, `<endpoint>/v1/traces`):
 * spans for incoming HTTP requests, GraphQL operations (parse, validate, execute; trivial field
 * resolvers left out) and SQL statements (pg, only inside a traced request or operation). The
 * versions are the last that run on Node 20 (STACK.md). Must run before `http`, `graphql` and
 * `pg` are first required: src/observability/tracing-bootstrap.ts is main.ts's first import.
 */
export function startTracing(endpoint: string, serviceName = 'task-scheduler'): Tracing {
  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 })],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.some((p) => req.url?.startsWith(p)) }),
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return { shutdown: () => provider.shutdown() };
}
