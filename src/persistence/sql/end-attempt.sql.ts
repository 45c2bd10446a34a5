/**
 * The SET list that ends a RUNNING attempt the worker did not finish (an expired lease, a
 * timeout): an attempt charged and RETRYING due at once, or FAILED when the retries are used up,
 * with `metadata.error` saying why and which worker held it (under `workerKey`). `errorSql` is an
 * SQL text expression over the row `t`. Shared by lease-expiry.sql.ts and timeouts.sql.ts, so both
 * ways of losing an attempt charge it the same way.
 */
export function endAttemptAssignments(errorSql: string, workerKey: string): string {
  return `
       set status = case when t.retry_count < t.max_retries then 'RETRYING' else 'FAILED' end,
           retry_count = case when t.retry_count < t.max_retries then t.retry_count + 1 else t.retry_count end,
           available_at = case when t.retry_count < t.max_retries then now() else null end,
           metadata = t.metadata || jsonb_build_object('error', ${errorSql}, 'failedAt', now(), '${workerKey}', t.worker_id)
             || case when t.retry_count < t.max_retries then jsonb_build_object('retryAt', now()) else '{}'::jsonb end,
           worker_id = null, lease_expires_at = null, updated_at = now()`;
}
