import { Migration20261125000000_initial } from './Migration20261125000000_initial';
import { Migration20261125010000_event_prune_mark } from './Migration20261125010000_event_prune_mark';
import { Migration20261125020000_waiting_on_counter } from './Migration20261125020000_waiting_on_counter';
import { Migration20261203000000_part2_task_columns } from './Migration20261203000000_part2_task_columns';
import { Migration20261203010000_api_tokens } from './Migration20261203010000_api_tokens';
import { Migration20261203040000_time } from './Migration20261203040000_time';
import { Migration20261203050000_flow_control } from './Migration20261203050000_flow_control';
import { Migration20261204000000_idempotency_partial } from './Migration20261204000000_idempotency_partial';
import { Migration20261204100000_edge_checks_per_statement } from './Migration20261204100000_edge_checks_per_statement';
import { Migration20261204200000_all_or_nothing } from './Migration20261204200000_all_or_nothing';
import { Migration20261205000000_complexity_json } from './Migration20261205000000_complexity_json';
import { Migration20261205010000_claimable_remains } from './Migration20261205010000_claimable_remains';

/**
 * Migrations are listed as imported classes, not discovered on disk: TypeScript migration files
 * cannot be loaded from disk under vitest on Node 20, and this way the compiled server and the
 * tests run the very same list.
 */
export const migrationsList = [
  { name: 'Migration20261125000000_initial', class: Migration20261125000000_initial },
  { name: 'Migration20261125010000_event_prune_mark', class: Migration20261125010000_event_prune_mark },
  { name: 'Migration20261125020000_waiting_on_counter', class: Migration20261125020000_waiting_on_counter },
  { name: 'Migration20261203000000_part2_task_columns', class: Migration20261203000000_part2_task_columns },
  { name: 'Migration20261203010000_api_tokens', class: Migration20261203010000_api_tokens },
  { name: 'Migration20261203040000_time', class: Migration20261203040000_time },
  { name: 'Migration20261203050000_flow_control', class: Migration20261203050000_flow_control },
  { name: 'Migration20261204000000_idempotency_partial', class: Migration20261204000000_idempotency_partial },
  { name: 'Migration20261204100000_edge_checks_per_statement', class: Migration20261204100000_edge_checks_per_statement },
  { name: 'Migration20261204200000_all_or_nothing', class: Migration20261204200000_all_or_nothing },
  { name: 'Migration20261205000000_complexity_json', class: Migration20261205000000_complexity_json },
  { name: 'Migration20261205010000_claimable_remains', class: Migration20261205010000_claimable_remains },
];
