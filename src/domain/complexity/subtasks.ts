/**
 * Suggested subtasks (only when decomposition is suggested): titles chosen by the first kind of
 * task the description matches (feature, bug, refactor, integration, database, else generic by
 * size), then each subtask's category, dependencies and share of the work from its own title.
 */
import { floorClean, withoutFloatNoise } from './arithmetic';
import type { Figures } from './heuristic';
import { anyKeywordPresent } from './text-matching';
import type { SubtaskCategory, SubtaskPlan } from './types';
import type { ComplexityWeights } from './weights';

/** Categories in matching order: the first whose keyword occurs in the title wins. */
const CATEGORY_ORDER = ['design', 'implement', 'test', 'document', 'integrate', 'deploy'] as const;

export function suggestedSubtaskTitles(description: string, f: Figures, w: ComplexityWeights): string[] {
  const text = description.toLowerCase();
  for (const kind of w.subtasks.kinds) {
    if (anyKeywordPresent(text, kind.keywords)) return [...kind.titles];
  }
  const generic = w.subtasks.generic;
  if (f.files > generic.manyFilesAbove) return [...generic.manyFilesTitles];
  if (f.loc > generic.largeLocAbove) return [...generic.largeLocTitles];
  return [...generic.defaultTitles];
}

export function subtaskCategory(title: string, w: ComplexityWeights): SubtaskCategory {
  const text = title.toLowerCase();
  return (
    CATEGORY_ORDER.find((category) => anyKeywordPresent(text, w.subtasks.categories[category].keywords)) ?? 'other'
  );
}

/**
 * Dependencies by category, on the subtasks before this one: design none; implement every
 * design subtask; test, document and integrate every implement subtask; deploy every earlier
 * subtask; other the previous subtask.
 */
function dependenciesFor(category: SubtaskCategory, earlier: readonly SubtaskPlan[]): number[] {
  const idsOf = (wanted: SubtaskCategory): number[] => earlier.filter((s) => s.category === wanted).map((s) => s.id);
  switch (category) {
    case 'design':
      return [];
    case 'implement':
      return idsOf('design');
    case 'test':
    case 'document':
    case 'integrate':
      return idsOf('implement');
    case 'deploy':
      return earlier.map((s) => s.id);
    case 'other':
      return earlier.length > 0 ? [earlier[earlier.length - 1]!.id] : [];
  }
}

/**
 * Each subtask gets an equal share of the score and minutes, scaled by its category's
 * multiplier: complexity = min(100, score / n x multiplier),
 * minutes = max(15, floor(minutes / n x multiplier)). Ids are 1-based.
 */
export function planSubtasks(titles: readonly string[], f: Figures, w: ComplexityWeights): SubtaskPlan[] {
  const n = titles.length;
  const plans: SubtaskPlan[] = [];
  titles.forEach((title, i) => {
    const category = subtaskCategory(title, w);
    const multiplier = category === 'other' ? w.subtasks.otherMultiplier : w.subtasks.categories[category].multiplier;
    plans.push({
      id: i + 1,
      title,
      category,
      dependencies: dependenciesFor(category, plans),
      complexityScore: Math.min(w.limits.maxScore, withoutFloatNoise((f.score / n) * multiplier)),
      estimatedMinutes: Math.max(w.limits.minMinutes, floorClean((f.minutes / n) * multiplier)),
    });
  });
  return plans;
}
