/**
 * Steps 1-10 of DESIGN.md's complexity estimator: the origin's keyword heuristic, in its order.
 * Only the weights come from outside; each step is commented with its number.
 */
import { floorClean, roundConfidence, withoutFloatNoise } from './arithmetic';
import {
  anyKeywordPresent,
  codePointLength,
  countFileNames,
  countKeywordsPresent,
  countListItems,
} from './text-matching';
import type { ComplexityInput } from './types';
import type { ComplexityWeights } from './weights';

/** The figures the decision, the blend and the subtasks work from. */
export interface Figures {
  tokens: number;
  loc: number;
  files: number;
  score: number;
  minutes: number;
  confidence: number;
}

export function fileWeight(fileCount: number, files: ComplexityWeights['files']): number {
  for (const bracket of files.brackets) if (fileCount <= bracket.maxFiles) return bracket.weight;
  return files.beyondWeight;
}

export function dependencyScore(count: number, scores: ComplexityWeights['dependencies']): number {
  if (count <= 0) return 0;
  if (count === 1) return scores.one;
  if (count === 2) return scores.two;
  if (count === 3) return scores.three;
  return scores.fourOrMore;
}

/** The type as given, trimmed and lower-cased; null when absent or blank. */
export function normaliseTaskType(taskType: string | null | undefined): string | null {
  const type = taskType?.trim().toLowerCase();
  return type ? type : null;
}

export function taskTypeMultiplier(type: string, taskTypes: ComplexityWeights['taskTypes']): number {
  return Object.hasOwn(taskTypes.multipliers, type) ? taskTypes.multipliers[type]! : taskTypes.unknownMultiplier;
}

/** Minutes for a LOC estimate: max(15, floor(LOC / 5)). */
export function minutesFor(loc: number, limits: ComplexityWeights['limits']): number {
  return Math.max(limits.minMinutes, floorClean(loc / limits.locPerMinute));
}

export function heuristicFigures(input: ComplexityInput, w: ComplexityWeights): Figures {
  const text = input.description.toLowerCase();

  // 1. Start.
  let loc = w.base.loc;
  let score = w.base.score;

  // 2. Keyword groups: per keyword present.
  for (const group of [w.keywordGroups.high, w.keywordGroups.medium, w.keywordGroups.low]) {
    const present = countKeywordsPresent(text, group.keywords);
    loc += present * group.loc;
    score += present * group.score;
  }

  // 3. Files: weight by the list's length, or count file names in the text.
  const fileList = input.files ?? [];
  let files: number;
  if (fileList.length > 0) {
    const weight = fileWeight(fileList.length, w.files);
    loc = floorClean(loc * weight);
    score *= weight;
    files = fileList.length;
  } else {
    files = Math.max(1, countFileNames(text, w.files.extensions));
  }

  // 4. Concepts: each set present multiplies once.
  for (const concept of Object.values(w.concepts)) {
    if (anyKeywordPresent(text, concept.keywords)) score *= concept.multiplier;
  }

  // 5. Verbs beyond the free count.
  const verbs = countKeywordsPresent(text, w.verbs.keywords);
  if (verbs > w.verbs.freeCount) score += (verbs - w.verbs.freeCount) * w.verbs.scorePerExtra;

  // 6. List items, in the original text.
  const items = countListItems(input.description);
  if (items > w.listItems.moreThan) {
    loc += items * w.listItems.locPerItem;
    score += items * w.listItems.scorePerItem;
  }

  // 7. Dependencies, only when given and non-empty.
  score += dependencyScore(input.dependencies?.length ?? 0, w.dependencies);

  // 8. Task type.
  const givenType = normaliseTaskType(input.taskType);
  score *= taskTypeMultiplier(givenType ?? w.taskTypes.defaultType, w.taskTypes);

  // 9. Cap, tokens, minutes.
  score = Math.min(w.limits.maxScore, withoutFloatNoise(score));
  // floor(length / 4) + 2 x LOC; the floor covers the sum so a configured fractional
  // tokensPerLoc still gives whole tokens (identical to the origin's for whole weights).
  const tokens = floorClean(codePointLength(input.description) / w.limits.charsPerToken + w.limits.tokensPerLoc * loc);
  const minutes = minutesFor(loc, w.limits);

  // 10. Confidence.
  let confidence = w.confidence.base;
  if (fileList.length > 0) confidence += w.confidence.filesBonus;
  if (givenType !== null && givenType !== w.taskTypes.defaultType) confidence += w.confidence.typeBonus;

  return { tokens, loc, files, score, minutes, confidence: roundConfidence(confidence) };
}
