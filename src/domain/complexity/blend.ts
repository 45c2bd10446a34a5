/**
 * Step 12: blending the heuristic with an external estimate (e.g. a language model's), and who
 * decides about decomposition then.
 */
import { floorClean, roundConfidence, withoutFloatNoise } from './arithmetic';
import { meetsDecompositionRule, type Decision } from './decision';
import { minutesFor, type Figures } from './heuristic';
import type { ExternalEstimate } from './types';
import type { ComplexityWeights } from './weights';

export function blendFigures(h: Figures, external: ExternalEstimate, w: ComplexityWeights): Figures {
  const { heuristic: a, external: b } = w.blend;
  const mix = (mine: number, theirs: number): number => a * mine + b * theirs;
  const externalConfidence = external.confidence ?? w.blend.defaultExternalConfidence;
  return {
    tokens: floorClean(mix(h.tokens, external.estimatedTokens)),
    loc: floorClean(mix(h.loc, external.estimatedLoc)),
    files: floorClean(mix(h.files, external.estimatedFiles)),
    minutes: floorClean(mix(h.minutes, minutesFor(external.estimatedLoc, w.limits))),
    // The score stays unrounded (only its float noise removed), then capped.
    score: Math.min(w.limits.maxScore, withoutFloatNoise(mix(h.score, external.complexityScore))),
    confidence: roundConfidence(mix(h.confidence, externalConfidence)),
  };
}

/**
 * A confident external estimate (>= 0.7, the default when it gives none) that says whether to
 * decompose decides, with its own confidence. Otherwise step 11's rule on the blended figures
 * decides, with the fixed fallback confidence (0.6).
 */
export function blendedDecision(blended: Figures, external: ExternalEstimate, w: ComplexityWeights): Decision {
  const externalConfidence = external.confidence ?? w.blend.defaultExternalConfidence;
  if (externalConfidence >= w.blend.externalDecidesAt && typeof external.suggestsDecomposition === 'boolean') {
    return {
      suggestsDecomposition: external.suggestsDecomposition,
      suggestionConfidence: roundConfidence(externalConfidence),
      decidedBy: 'external',
    };
  }
  return {
    suggestsDecomposition: meetsDecompositionRule(blended, w),
    suggestionConfidence: w.blend.fallbackConfidence,
    decidedBy: 'blend',
  };
}
