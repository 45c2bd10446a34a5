import { performance } from 'node:perf_hooks';
import type { BenchContext, SummaryRow, WorkloadResult } from '../context';
import { WsGql } from '../workers-ws';
import { latencySummary } from '../stats';
import { log, ms, progress, table } from '../report';

/**
 * The round-trip floor on this machine right now: a bare `select 1` to PostgreSQL, a GraphQL
 * `{ __typename }` over HTTP and over graphql-ws (no database). Every latency figure later is a
 * few of these hops, so on a busy 2-core machine this says how much of a figure is the
 * machine rather than the scheduler.
 */
const SAMPLES = 300;

export async function floor(ctx: BenchContext): Promise<WorkloadResult> {
  progress('floor: round trips with no scheduling work');
  const time = async (op: () => Promise<unknown>) => {
    for (let i = 0; i < 30; i++) await op();
    const out: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await op();
      out.push(performance.now() - t0);
    }
    return latencySummary(out);
  };
  const client = await ctx.pool.connect();
  const ws = await WsGql.connect(ctx.server.wsUrl);
  try {
    const figures = {
      'PostgreSQL select 1 (bench -> database)': await time(() => client.query('select 1')),
      'GraphQL { __typename } over HTTP (no database)': await time(() => ctx.http.request('{ __typename }')),
      'GraphQL { __typename } over graphql-ws (no database)': await time(() => ws.request('{ __typename }')),
    };
    log(
      table(
        `Round-trip floor: ${SAMPLES} sequential samples each`,
        ['round trip', 'p50', 'p95', 'p99'],
        Object.entries(figures).map(([k, v]) => [k, ms(v.p50), ms(v.p95), ms(v.p99)]),
      ),
    );
    const summary: SummaryRow[] = [
      { workload: 'Floor', figure: 'GraphQL round trip p50 HTTP / graphql-ws', value: `${ms(figures['GraphQL { __typename } over HTTP (no database)'].p50)} / ${ms(figures['GraphQL { __typename } over graphql-ws (no database)'].p50)}`, target: '-', pass: null },
    ];
    return { name: 'Floor', data: figures, summary };
  } finally {
    client.release();
    await ws.close();
  }
}
