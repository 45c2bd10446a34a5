/**
 * The plain data the graph algorithms take and the exporters draw.
 *
 * Direction: "x depends on y" is stored as deps.get(x) includes y. Exported edges run from the
 * dependency to the task waiting on it (y -> x), matching the DependencyEdge type.
 */

/** deps: task id -> ids it depends on. Ids referenced but absent as keys are "missing" nodes. */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

export interface ExportNode {
  id: string;
  label: string;
  status?: string;
}
export interface ExportEdge {
  /** The dependency. */
  from: string;
  /** The task waiting on it. */
  to: string;
}
