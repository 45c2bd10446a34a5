import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { toDot, toMermaid, type ExportNode } from '../../domain/dependency-graph';
import { DependencyGraphResult, loadDependencyGraph, loadGraphTasks } from '../../scheduler/dependency-graph-query';
import { DependencyGraphType } from '../types/graph.type';
import { TaskType } from '../types/task.type';
import type { GqlContext } from '../context';
import { selectedFields } from '../selected-fields';

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

  /**
   * Rows only when selected, in one statement, with the selected columns. Whole rows are primed
   * so nested task fields reuse them; partial ones are not (a loader must never hand out a task
   * missing fields another selection reads).
   */
  @FieldResolver(() => [TaskType], { description: 'The tasks of the graph, in creation order' })
  async nodes(@Root() graph: DependencyGraphResult, @Ctx() ctx: GqlContext, @Info() info: GraphQLResolveInfo) {
    const { tasks, whole } = await loadGraphTasks(ctx.em, graph, { fields: selectedFields(info) });
    if (whole) for (const t of tasks) ctx.loaders.taskById.prime(t.id, t);
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
