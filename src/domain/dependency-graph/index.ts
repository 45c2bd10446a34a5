/**
 * Dependency graph algorithms over plain string ids: levels, cycles, resolution order, critical
 * path, sub-graphs and DOT/Mermaid export. Pure and synchronous; the scheduler loads the map.
 *
 * Direction: "x depends on y" is stored as deps.get(x) includes y. Exported edges run from the
 * dependency to the task waiting on it (y -> x), matching the DependencyEdge type.
 * Everything is iterative so a 100,000-task chain cannot overflow the call stack.
 */
export type { DependencyMap, ExportEdge, ExportNode } from './types';
export { CycleError, MissingDependencyError } from './errors';
export { topologicalLevels } from './levels';
export { cyclePathIfAdded, findCycles } from './cycles';
export { resolveOrder } from './resolve-order';
export { criticalPath } from './critical-path';
export { connectedTo } from './connected';
export { STATUS_COLOURS } from './status-colours';
export { toDot } from './dot';
export { toMermaid } from './mermaid';
