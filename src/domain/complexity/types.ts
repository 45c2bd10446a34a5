/**
 * The estimator's input and output, as plain data. Field names are the current ones of
 * DESIGN.md; the deprecated aliases (shouldDecompose, confidence, …) belong to the GraphQL layer.
 */

/** Another estimator's figures (e.g. a language model's), blended 0.4 heuristic / 0.6 external. */
export interface ExternalEstimate {
  estimatedTokens: number;
  estimatedLoc: number;
  estimatedFiles: number;
  complexityScore: number;
  /** 0..1; absent means the configured default (0.7). */
  confidence?: number | null;
  /** With a confidence >= 0.7 this decides whether to decompose. */
  suggestsDecomposition?: boolean | null;
}

export interface ComplexityInput {
  description: string;
  files?: string[] | null;
  dependencies?: string[] | null;
  /** e.g. bug_fix, refactoring; absent means feature_implementation. */
  taskType?: string | null;
  externalEstimate?: ExternalEstimate | null;
}

export type SubtaskCategory = 'design' | 'implement' | 'test' | 'document' | 'integrate' | 'deploy' | 'other';

export interface SubtaskPlan {
  /** 1-based, in suggestion order. */
  id: number;
  title: string;
  category: SubtaskCategory;
  /** Ids of earlier subtasks this one waits for. */
  dependencies: number[];
  complexityScore: number;
  estimatedMinutes: number;
}

export interface ParallelGroup {
  /** 0-based topological level. */
  groupId: number;
  subtaskIds: number[];
  /** The longest subtask of the group. */
  estimatedDurationMinutes: number;
  canParallelize: boolean;
}

export type ComplexityCategory = 'low' | 'medium' | 'high' | 'very_high';

export interface ComplexityEstimate {
  taskId: string | null;
  estimatedTokens: number;
  estimatedLoc: number;
  estimatedFiles: number;
  complexityScore: number;
  complexityCategory: ComplexityCategory;
  suggestsDecomposition: boolean;
  suggestionConfidence: number;
  /**
   * Confidence in the figures themselves (DESIGN step 10, or its 0.4/0.6 blend with the external
   * confidence), before the ambiguous-zone discount that suggestionConfidence carries.
   */
  estimateConfidence: number;
  suggestedSubtasks: string[];
  subtaskPlan: SubtaskPlan[];
  suggestedParallelGroups: ParallelGroup[];
  estimatedDurationMinutes: number;
  suggestionRationale: string;
  timestamp: Date;
}
