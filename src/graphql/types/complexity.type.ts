import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { ComplexityEstimate, SubtaskCategory } from '../../domain/complexity';

@InputType({ description: "Another estimator's figures (e.g. a language model's), blended 0.4 heuristic / 0.6 external" })
export class ExternalEstimateInput {
  @Field(() => Int)
  estimatedTokens!: number;

  @Field(() => Int)
  estimatedLoc!: number;

  @Field(() => Int)
  estimatedFiles!: number;

  @Field(() => Float, { description: '0..100' })
  complexityScore!: number;

  @Field(() => Float, { nullable: true, description: '0..1, default 0.7' })
  confidence?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'With a confidence of at least 0.7 this decides whether to decompose' })
  suggestsDecomposition?: boolean | null;
}

@InputType()
export class ComplexityInput {
  @Field({ description: 'What to do; keywords in it drive the estimate' })
  description!: string;

  @Field(() => [String], { nullable: true, description: 'Files the task touches; weights the estimate by their number' })
  files?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Only their number counts' })
  dependencies?: string[] | null;

  @Field(() => String, { nullable: true, description: 'feature_implementation (default), bug_fix, refactoring, testing, documentation, …' })
  taskType?: string | null;

  @Field(() => ExternalEstimateInput, { nullable: true })
  externalEstimate?: ExternalEstimateInput | null;
}

@ObjectType('ParallelGroup', { description: 'A topological level of the suggested subtasks: its members can run at the same time' })
export class ParallelGroupType {
  @Field(() => Int, { description: 'From 0' })
  groupId!: number;

  @Field(() => [Int])
  subtaskIds!: number[];

  @Field(() => Int, { description: 'The longest subtask of the group' })
  estimatedDurationMinutes!: number;

  @Field()
  canParallelize!: boolean;
}

@ObjectType('SubtaskSuggestion', { description: 'One suggested subtask with its place in the plan (what decomposeTask creates)' })
export class SubtaskSuggestionType {
  @Field(() => Int, { description: '1-based, in suggestion order' })
  id!: number;

  @Field()
  title!: string;

  @Field(() => String, { description: 'design, implement, test, document, integrate, deploy or other' })
  category!: SubtaskCategory;

  @Field(() => [Int], { description: 'Ids of earlier subtasks this one waits for' })
  dependencies!: number[];

  @Field(() => Float)
  complexityScore!: number;

  @Field(() => Int)
  estimatedMinutes!: number;
}

/**
 * The estimator's output under the current names, plus the pre-rename names as deprecated
 * getters so old clients keep working (same values, one source).
 */
@ObjectType('ComplexityEstimate')
export class ComplexityEstimateType {
  @Field(() => ID, { nullable: true, description: 'The task the estimate is stored with; null for estimateComplexity' })
  taskId!: string | null;

  @Field(() => Int)
  estimatedTokens!: number;

  @Field(() => Int)
  estimatedLoc!: number;

  @Field(() => Int)
  estimatedFiles!: number;

  @Field(() => Float, { description: '0..100' })
  complexityScore!: number;

  @Field({ description: 'low, medium, high or very_high' })
  complexityCategory!: string;

  @Field()
  suggestsDecomposition!: boolean;

  @Field(() => Float, { description: 'Confidence in the decomposition decision (discounted near the threshold)' })
  suggestionConfidence!: number;

  @Field(() => Float, { description: 'Confidence in the figures themselves, before the threshold discount' })
  estimateConfidence!: number;

  @Field(() => [String], { description: 'Titles of the suggested subtasks; empty when no decomposition is suggested' })
  suggestedSubtasks!: string[];

  @Field(() => [SubtaskSuggestionType], { description: 'The suggested subtasks with categories, dependencies and estimates' })
  subtasks!: SubtaskSuggestionType[];

  @Field(() => [ParallelGroupType])
  suggestedParallelGroups!: ParallelGroupType[];

  @Field(() => Int)
  estimatedDurationMinutes!: number;

  @Field()
  suggestionRationale!: string;

  @Field(() => Date)
  timestamp!: Date;

  @Field(() => Boolean, { deprecationReason: 'Use suggestsDecomposition.' })
  get shouldDecompose(): boolean {
    return this.suggestsDecomposition;
  }

  @Field(() => Float, { deprecationReason: 'Use suggestionConfidence.' })
  get confidence(): number {
    return this.suggestionConfidence;
  }

  @Field(() => [String], { deprecationReason: 'Use suggestedSubtasks.' })
  get decompositionSuggestions(): string[] {
    return this.suggestedSubtasks;
  }

  @Field(() => [ParallelGroupType], { deprecationReason: 'Use suggestedParallelGroups.' })
  get parallelizationOpportunities(): ParallelGroupType[] {
    return this.suggestedParallelGroups;
  }

  /**
   * From the domain's estimate, or from one stored as JSON (a Task's `complexity` column), where
   * the timestamp has come back as an ISO string.
   */
  static from(estimate: ComplexityEstimate, taskId: string | null = estimate.taskId): ComplexityEstimateType {
    const out = new ComplexityEstimateType();
    Object.assign(out, {
      taskId,
      estimatedTokens: estimate.estimatedTokens,
      estimatedLoc: estimate.estimatedLoc,
      estimatedFiles: estimate.estimatedFiles,
      complexityScore: estimate.complexityScore,
      complexityCategory: estimate.complexityCategory,
      suggestsDecomposition: estimate.suggestsDecomposition,
      suggestionConfidence: estimate.suggestionConfidence,
      estimateConfidence: estimate.estimateConfidence ?? estimate.suggestionConfidence,
      suggestedSubtasks: estimate.suggestedSubtasks,
      subtasks: estimate.subtaskPlan ?? [],
      suggestedParallelGroups: estimate.suggestedParallelGroups,
      estimatedDurationMinutes: estimate.estimatedDurationMinutes,
      suggestionRationale: estimate.suggestionRationale,
      timestamp: new Date(estimate.timestamp),
    });
    return out;
  }
}
