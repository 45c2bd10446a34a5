/**
 * The bench's only reader of the environment (the app's rule, src/config.ts, applied here too).
 * BENCH_QUICK=1 shrinks every workload to a smoke run that finishes in a minute or two.
 */
export interface BenchConfig {
  quick: boolean;
  /** W1: tasks per variant and run. */
  tasks: number;
  /** Repetitions of each measured figure; the median is reported with the min-max spread. */
  runs: number;
  /** W1/W3 concurrent workers. */
  workers: number;
  /** W1(c) and the raw batch baseline. */
  batchSize: number;
  /** W2 samples per run (each: create -> event -> claim -> complete -> event). */
  latencySamples: number;
  /** W3 diamonds (4 tasks each). */
  diamonds: number;
  /** Scale: rows in the big table, READY rows in both phases, claim+complete samples. */
  scaleRows: number;
  scaleReady: number;
  scaleSamples: number;
  /** Sizes of the dependencyGraph and detectDeadlocks projects. */
  graphTasks: number;
  deadlockTasks: number;
  /** Server memory sampling period (ms). */
  memorySampleMs: number;
  /**
   * W1: longest one variant run may take (s). A variant still busy then stops and reports the
   * tasks it finished in that time; the table says so. Keeps the default bench under ~15 minutes
   * on a busy 2-core machine.
   */
  variantSeconds: number;
  /** Workloads to run (BENCH_ONLY=W1,W3 for instance); all by default. */
  only: Set<string> | null;
  /** W1 variants to run (BENCH_W1_VARIANTS=b,raw for instance: a b c raw rawApp ceiling rawBatch pooled); all by default. */
  w1Variants: Set<string> | null;
  /** Extra node flags for the server child, e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  serverNodeArgs: string[];
  /** Let the database server settle (autovacuum done, CHECKPOINT) before each workload; BENCH_SETTLE=0 turns it off. */
  settle: boolean;
  /** Node options of the Live workload's subscriber process (e.g. --cpu-prof), from BENCH_LOADGEN_NODE_ARGS. */
  loadGenNodeArgs: string[];
}

function int(name: string, def: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

export function loadBenchConfig(): BenchConfig {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  return {
    quick,
    tasks: int('BENCH_TASKS', quick ? 2_000 : 20_000, 100),
    runs: int('BENCH_RUNS', quick ? 1 : 3, 1),
    workers: int('BENCH_WORKERS', 10, 1),
    batchSize: 50,
    latencySamples: quick ? 100 : 500,
    diamonds: quick ? 250 : 1_000,
    scaleRows: quick ? 100_000 : 1_000_000,
    scaleReady: 10_000,
    scaleSamples: quick ? 200 : 500,
    graphTasks: quick ? 2_000 : 10_000,
    deadlockTasks: quick ? 20_000 : 100_000,
    memorySampleMs: 100,
    variantSeconds: int('BENCH_VARIANT_SECONDS', quick ? 15 : 20, 1),
    only: process.env.BENCH_ONLY?.trim() ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim().toLowerCase())) : null,
    w1Variants: process.env.BENCH_W1_VARIANTS?.trim() ? new Set(process.env.BENCH_W1_VARIANTS.split(',').map((s) => s.trim())) : null,
    serverNodeArgs: process.env.BENCH_SERVER_NODE_ARGS?.trim() ? process.env.BENCH_SERVER_NODE_ARGS.trim().split(/\s+/) : [],
    settle: process.env.BENCH_SETTLE !== '0',
    loadGenNodeArgs: process.env.BENCH_LOADGEN_NODE_ARGS?.trim() ? process.env.BENCH_LOADGEN_NODE_ARGS.trim().split(/\s+/) : [],
  };
}
