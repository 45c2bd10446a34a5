import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('DependencyEdge')
export class DependencyEdgeType {
  @Field(() => ID, { description: 'The dependency' })
  from!: string;

  @Field(() => ID, { description: 'The task waiting on it' })
  to!: string;
}

/**
 * The root value is the scheduler's DependencyGraphResult; `nodes`, `dot` and `mermaid` are
 * field resolvers (src/graphql/resolvers/graph.resolver.ts), computed only when selected.
 */
@ObjectType('DependencyGraph')
export class DependencyGraphType {
  @Field(() => [DependencyEdgeType])
  edges!: DependencyEdgeType[];

  @Field(() => [[ID]], { description: 'Topological levels (Kahn): each level can run in parallel once the previous ones are done. Tasks on or behind a cycle are in no level' })
  levels!: string[][];

  @Field(() => [ID], { description: 'The longest chain by estimated duration (stored estimate, 15 minutes without one), in run order' })
  criticalPath!: string[];

  @Field(() => Int, { description: 'The estimated minutes of the critical path' })
  criticalPathMinutes!: number;

  @Field(() => [[ID]], { description: 'Each cycle as the task ids in dependency order' })
  cycles!: string[][];
}
