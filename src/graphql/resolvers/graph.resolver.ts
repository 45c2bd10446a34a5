import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { toDot, toMermaid, type ExportNode } from '../../domain/dependency-graph';
import { DependencyGraphResult, loadDependencyGraph, loadGraphTasks } from '../../scheduler/dependency-graph-query';
import { DependencyGraphType } from '../types/graph.type';
import { TaskType } from '../types/task.type';
import type { GqlContext } from '../context';

const exportNodes = (graph: DependencyGraphResult): ExportNode[] => graph.graphNodes.map((n) => ({ id: n.id, label: n.title, status: n.status }));

@Resolver(() => DependencyGraphType)
export class GraphResolver {
  @Query(() => DependencyGraphType, { description: "A project's dependency graph; with rootTaskId only that task's transitive dependencies and dependents" })
  dependencyGraph(
    @Arg('projectId', () => ID) projectId: string,
    @Ctx() ctx: GqlContext,
    @Arg('rootTaskId', () => ID, { nullable: true }) rootTaskId?: string,
  ): Promise<DependencyGraphResult> {
    return loadDependencyGraph(ctx.em, projectId, rootTaskId);
  }

  /** Full rows only when selected, in one statement; primed so nested task fields reuse them. */
  @FieldResolver(() => [TaskType], { description: 'The tasks of the graph, in creation order' })
  async nodes(@Root() graph: DependencyGraphResult, @Ctx() ctx: GqlContext) {
    const tasks = await loadGraphTasks(ctx.em, graph);
    for (const t of tasks) ctx.loaders.taskById.prime(t.id, t);
    return tasks;
  }

  @FieldResolver(() => String, { description: 'Graphviz DOT, edges from dependency to dependent, coloured by status' })
  dot(@Root() graph: DependencyGraphResult): string {
    return toDot(exportNodes(graph), graph.edges);
  }

  @FieldResolver(() => String, { description: 'A Mermaid flowchart, labelled with task titles, coloured by status' })
  mermaid(@Root() graph: DependencyGraphResult): string {
    return toMermaid(exportNodes(graph), graph.edges);
  }
}
