/** The complexity estimator's public API. */
export { estimateComplexity, type EstimateOptions } from './estimate';
export { validateComplexityInput, validateExternalEstimate, MAX_DESCRIPTION_LENGTH, MAX_FILES } from './validate';
export {
  DEFAULT_COMPLEXITY_WEIGHTS,
  type ComplexityWeights,
  type ConceptSet,
  type FileWeightBracket,
  type KeywordGroup,
  type SubtaskCategoryRule,
  type SubtaskKind,
} from './weights';
export { parseComplexityConfigText, parseComplexityWeights } from './weights-config';
export { planSubtasks, subtaskCategory, suggestedSubtaskTitles } from './subtasks';
export { parallelGroups } from './parallel-groups';
export type {
  ComplexityCategory,
  ComplexityEstimate,
  ComplexityInput,
  ExternalEstimate,
  ParallelGroup,
  SubtaskCategory,
  SubtaskPlan,
} from './types';
