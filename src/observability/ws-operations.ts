import { DocumentNode, getOperationAST, GraphQLError } from 'graphql';
import type { Logger } from '../logger';
import type { Metrics } from './metrics';
import { errorCode, refusalReason } from './operation-plugin';

interface Running {
  type: string;
  name: string | null;
  started: number;
  failed: boolean;
}

/**
 * The graphql-ws side of what operation-plugin.ts does for HTTP: operations over WebSockets
 * counted by type, name and result, queries and mutations timed and logged when slow. Connections
 * and active operations are counted from these hooks (tq_ws_connections, tq_ws_subscriptions).
 */
export function wsOperationTracker(options: { metrics: Metrics; logger: Logger; slowMs: number }) {
  const { metrics, logger, slowMs } = options;
  const running = new Map<object, Map<string, Running>>();
  let connections = 0;
  let operations = 0;
  const publish = () => {
    metrics.wsConnections.set(connections);
    metrics.wsSubscriptions.set(operations);
  };
  const finish = (socket: object, id: string, result: 'ok' | 'error') => {
    const ops = running.get(socket);
    const op = ops?.get(id);
    if (!op) return;
    ops!.delete(id);
    operations--;
    const operation = metrics.operationLabel(op.name);
    metrics.operations.inc({ type: op.type, operation, result: op.failed ? 'error' : result });
    if (op.type !== 'subscription') {
      const ms = performance.now() - op.started;
      metrics.operationDuration.observe({ type: op.type, operation }, ms / 1000);
      if (ms > slowMs) logger.warn('slow operation', { operation: op.name ?? 'anonymous', type: op.type, durationMs: Math.round(ms), transport: 'websocket' });
    }
    publish();
  };
  return {
    connected(socket: object) {
      connections++;
      running.set(socket, new Map());
      publish();
    },
    closed(socket: object) {
      const ops = running.get(socket);
      if (!ops) return;
      for (const id of [...ops.keys()]) finish(socket, id, 'ok');
      running.delete(socket);
      connections--;
      publish();
    },
    /** A document that passed parsing and validation starts running. */
    started(socket: object, id: string, document: DocumentNode, operationName: string | null | undefined) {
      const op = getOperationAST(document, operationName);
      running.get(socket)?.set(id, { type: op?.operation ?? 'unknown', name: operationName ?? op?.name?.value ?? null, started: performance.now(), failed: false });
      operations++;
      publish();
    },
    /** Refused before it ran (parse, validation, limits). */
    refused(errors: readonly GraphQLError[], operationName: string | null | undefined) {
      metrics.refused.inc({ reason: refusalReason(errors) ?? 'other' });
      metrics.operations.inc({ type: 'unknown', operation: metrics.operationLabel(operationName), result: 'refused' });
    },
    /** Errors in a result; a FORBIDDEN root field (access control) counts as an authorisation refusal. */
    errored(socket: object, id: string, errors: readonly GraphQLError[] = []) {
      const op = running.get(socket)?.get(id);
      if (op) op.failed = true;
      if (errors.some((e) => errorCode(e) === 'FORBIDDEN')) {
        metrics.authFailures.inc({ reason: 'forbidden' });
        metrics.refused.inc({ reason: 'forbidden' });
      }
    },
    completed(socket: object, id: string) {
      finish(socket, id, 'ok');
    },
  };
}
