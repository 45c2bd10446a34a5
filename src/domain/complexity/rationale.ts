/**
 * Step 14: one sentence naming what drove the decision (score >= 70, tokens, files >= 5,
 * LOC >= 400), or saying the task is manageable as one unit.
 */
import type { Decision } from './decision';
import type { Figures } from './heuristic';
import type { ComplexityWeights } from './weights';

function formatScore(score: number): string {
  return String(Math.round(score * 10) / 10);
}

function joinReasons(reasons: string[]): string {
  if (reasons.length <= 1) return reasons.join('');
  return `${reasons.slice(0, -1).join(', ')} and ${reasons[reasons.length - 1]}`;
}

export function suggestionRationale(f: Figures, decision: Decision, w: ComplexityWeights): string {
  const fileWord = f.files === 1 ? 'file' : 'files';
  if (decision.decidedBy === 'external') {
    return decision.suggestsDecomposition
      ? `Decomposition suggested by the external estimate (confidence ${decision.suggestionConfidence}).`
      : `The external estimate (confidence ${decision.suggestionConfidence}) judges the task manageable as a single unit.`;
  }
  if (!decision.suggestsDecomposition) {
    return `Manageable as a single unit: complexity score ${formatScore(f.score)}, about ${f.loc} lines of code in ${f.files} ${fileWord}.`;
  }
  const d = w.decomposition;
  const reasons: string[] = [];
  if (f.score >= w.rationale.highScore) reasons.push(`a high complexity score (${formatScore(f.score)})`);
  if (f.tokens >= d.minTokens) reasons.push(`about ${f.tokens} tokens`);
  if (f.files >= d.minFiles) reasons.push(`${f.files} files`);
  if (f.loc >= d.minLoc) reasons.push(`about ${f.loc} lines of code`);
  // A score between 60 and 70 decides without being "high": name it rather than say nothing.
  if (reasons.length === 0) reasons.push(`a complexity score of ${formatScore(f.score)} (at least ${d.minScore})`);
  return `Decomposition suggested because of ${joinReasons(reasons)}.`;
}
