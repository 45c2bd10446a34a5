/**
 * estimateComplexity: DESIGN.md's heuristic (steps 1-14) as one pure function. No clock, no I/O:
 * `now` is passed in and becomes the estimate's timestamp.
 */
import { blendedDecision, blendFigures } from './blend';
import { complexityCategory, heuristicDecision } from './decision';
import { heuristicFigures } from './heuristic';
import { parallelGroups } from './parallel-groups';
import { suggestionRationale } from './rationale';
import { planSubtasks, suggestedSubtaskTitles } from './subtasks';
import type { ComplexityEstimate, ComplexityInput } from './types';
import { validateComplexityInput } from './validate';
import { DEFAULT_COMPLEXITY_WEIGHTS, type ComplexityWeights } from './weights';

export interface EstimateOptions {
  /** Defaults to DEFAULT_COMPLEXITY_WEIGHTS; pass the result of parseComplexityWeights. */
  weights?: ComplexityWeights;
  now: Date;
  taskId?: string | null;
}

export function estimateComplexity(input: ComplexityInput, options: EstimateOptions): ComplexityEstimate {
  validateComplexityInput(input);
  const w = options.weights ?? DEFAULT_COMPLEXITY_WEIGHTS;

  const heuristic = heuristicFigures(input, w); // steps 1-10
  const external = input.externalEstimate;
  const figures = external ? blendFigures(heuristic, external, w) : heuristic; // step 12
  const decision = external ? blendedDecision(figures, external, w) : heuristicDecision(figures, w); // 11, 12

  const titles = decision.suggestsDecomposition ? suggestedSubtaskTitles(input.description, figures, w) : [];
  const plan = planSubtasks(titles, figures, w);

  return {
    taskId: options.taskId ?? null,
    estimatedTokens: figures.tokens,
    estimatedLoc: figures.loc,
    estimatedFiles: figures.files,
    complexityScore: figures.score,
    complexityCategory: complexityCategory(figures.score, w), // step 13
    suggestsDecomposition: decision.suggestsDecomposition,
    suggestionConfidence: decision.suggestionConfidence,
    estimateConfidence: figures.confidence,
    suggestedSubtasks: titles,
    subtaskPlan: plan,
    suggestedParallelGroups: parallelGroups(plan),
    estimatedDurationMinutes: figures.minutes,
    suggestionRationale: suggestionRationale(figures, decision, w), // step 14
    timestamp: new Date(options.now.getTime()),
  };
}
