/**
 * Steps 11 and 13: whether to suggest decomposition, how sure that suggestion is, and the
 * score's category.
 */
import { roundConfidence } from './arithmetic';
import type { Figures } from './heuristic';
import type { ComplexityCategory } from './types';
import type { ComplexityWeights } from './weights';

export interface Decision {
  suggestsDecomposition: boolean;
  suggestionConfidence: number;
  /** Who decided: the heuristic alone, the rule on blended figures, or the external estimate. */
  decidedBy: 'heuristic' | 'blend' | 'external';
}

/** Step 11's rule: any one threshold reached. */
export function meetsDecompositionRule(f: Figures, w: ComplexityWeights): boolean {
  const d = w.decomposition;
  return f.score >= d.minScore || f.loc >= d.minLoc || f.files >= d.minFiles || f.tokens >= d.minTokens;
}

/**
 * "Within 10 of 60": strictly closer than the margin, so 50 and 70 are outside the zone
 * (|score - 60| < 10).
 */
export function isAmbiguousScore(score: number, w: ComplexityWeights): boolean {
  return Math.abs(score - w.decomposition.minScore) < w.confidence.ambiguousMargin;
}

/** Step 11 for heuristic-only figures: the confidence, discounted in the ambiguous zone. */
export function heuristicDecision(f: Figures, w: ComplexityWeights): Decision {
  const factor = isAmbiguousScore(f.score, w) ? w.confidence.ambiguousFactor : 1;
  return {
    suggestsDecomposition: meetsDecompositionRule(f, w),
    suggestionConfidence: roundConfidence(f.confidence * factor),
    decidedBy: 'heuristic',
  };
}

/** Step 13: low <= 30 < medium <= 60 < high <= 85 < very_high. */
export function complexityCategory(score: number, w: ComplexityWeights): ComplexityCategory {
  const c = w.categories;
  if (score <= c.lowMax) return 'low';
  if (score <= c.mediumMax) return 'medium';
  if (score <= c.highMax) return 'high';
  return 'very_high';
}
