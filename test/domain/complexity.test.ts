/**
 * The estimator end to end: the examples of DESIGN.md and the issue, with every expected number
 * worked out by hand from the 14 steps (the working is in the comments).
 */
import { describe, expect, it } from 'vitest';
import { blendFigures } from '../../src/domain/complexity/blend';
import type { Figures } from '../../src/domain/complexity/heuristic';
import {
  DEFAULT_COMPLEXITY_WEIGHTS,
  estimateComplexity,
  parallelGroups,
  type ComplexityInput,
  type SubtaskPlan,
} from '../../src/domain/complexity';
import { topologicalLevels } from '../../src/domain/dependency-graph';

const now = new Date('2025-01-02T03:04:05.000Z');
const estimate = (input: ComplexityInput, taskId?: string) => estimateComplexity(input, { now, taskId });

describe('DESIGN.md examples', () => {
  it('"Fix typo in documentation" is small, not decomposed, confidence 0.6', () => {
    // "fix" (medium: +50 LOC, +8), "document" inside "documentation" (low: +20, +3):
    // LOC 50+50+20 = 120, score 20+8+3 = 31; no files given, none named -> 1 file;
    // verbs fix, document: 2 (not beyond 3); no list items; default type x1.5 -> 46.5.
    // tokens floor(25/4) + 2 x 120 = 246; minutes max(15, floor(120/5)) = 24.
    const e = estimate({ description: 'Fix typo in documentation' });
    expect(e).toMatchObject({
      estimatedLoc: 120,
      complexityScore: 46.5,
      estimatedTokens: 246,
      estimatedFiles: 1,
      estimatedDurationMinutes: 24,
      complexityCategory: 'medium',
      suggestsDecomposition: false,
      suggestionConfidence: 0.6,
      estimateConfidence: 0.6,
      suggestedSubtasks: [],
      subtaskPlan: [],
      suggestedParallelGroups: [],
    });
    expect(e.complexityScore).toBeLessThan(50);
    expect(e.estimatedLoc).toBeLessThan(150);
    expect(e.suggestionConfidence).toBeGreaterThan(0.5);
    expect(e.suggestionRationale).toBe(
      'Manageable as a single unit: complexity score 46.5, about 120 lines of code in 1 file.',
    );
  });

  it('a six-point distributed authentication feature over six files is decomposed', () => {
    const description = [
      'Implement distributed authentication across services:',
      '1. Design the token format',
      '2. Build the login endpoint',
      '3. Store sessions in Redis',
      '4. Rotate signing keys',
      '5. Write tests',
      '6. Document the flow',
    ].join('\n'); // 194 characters
    const files = [
      'auth/token.ts',
      'auth/login.ts',
      'auth/session.ts',
      'auth/keys.ts',
      'auth/index.ts',
      'auth/auth.test.ts',
    ];
    // high: implement, build, design (+300, +45); low: test, document, format (+60, +9):
    // LOC 410, score 74. Six files -> x1.6: LOC 656, score 118.4. No concept set present.
    // Verbs implement, test, document: 3, none extra. Items "1." .. "6.": 6 > 2 -> +180 LOC,
    // +30 score: LOC 836, score 148.4. Default type x1.5 = 222.6 -> capped at 100.
    // tokens floor(194/4) + 2 x 836 = 48 + 1672 = 1720; minutes floor(836/5) = 167.
    const e = estimate({ description, files });
    expect(e).toMatchObject({
      estimatedLoc: 836,
      complexityScore: 100,
      estimatedTokens: 1720,
      estimatedFiles: 6,
      estimatedDurationMinutes: 167,
      complexityCategory: 'very_high',
      suggestsDecomposition: true,
      suggestionConfidence: 0.7,
    });
    expect(e.complexityScore).toBeGreaterThan(60);
    expect(e.estimatedLoc).toBeGreaterThan(200);
    expect(e.suggestedSubtasks.length).toBeGreaterThanOrEqual(3);
    // Feature kind ("implement"); n = 4, share 25 score and 41.75 minutes each.
    expect(e.subtaskPlan).toEqual([
      {
        id: 1,
        title: 'Design the data model and API',
        category: 'design',
        dependencies: [],
        complexityScore: 20,
        estimatedMinutes: 33,
      },
      {
        id: 2,
        title: 'Implement the core functionality',
        category: 'implement',
        dependencies: [1],
        complexityScore: 30,
        estimatedMinutes: 50,
      },
      {
        id: 3,
        title: 'Add test coverage',
        category: 'implement',
        dependencies: [1],
        complexityScore: 30,
        estimatedMinutes: 50,
      },
      {
        id: 4,
        title: 'Write user documentation',
        category: 'document',
        dependencies: [2, 3],
        complexityScore: 12.5,
        estimatedMinutes: 20,
      },
    ]);
    expect(e.suggestedSubtasks).toEqual(e.subtaskPlan.map((s) => s.title));
    expect(e.suggestedParallelGroups).toEqual([
      { groupId: 0, subtaskIds: [1], estimatedDurationMinutes: 33, canParallelize: false },
      { groupId: 1, subtaskIds: [2, 3], estimatedDurationMinutes: 50, canParallelize: true },
      { groupId: 2, subtaskIds: [4], estimatedDurationMinutes: 20, canParallelize: false },
    ]);
    expect(e.suggestionRationale).toBe(
      'Decomposition suggested because of a high complexity score (100), 6 files and about 836 lines of code.',
    );
  });

  it('blending {tokens 2000, LOC 100, score 40} with {6000, 300, 80} gives 4400, 220, 64', () => {
    const heuristic: Figures = { tokens: 2000, loc: 100, files: 1, score: 40, minutes: 20, confidence: 0.6 };
    const blended = blendFigures(
      heuristic,
      { estimatedTokens: 6000, estimatedLoc: 300, estimatedFiles: 3, complexityScore: 80, confidence: 0.9 },
      DEFAULT_COMPLEXITY_WEIGHTS,
    );
    // files floor(0.4 + 1.8) = 2; minutes: external max(15, floor(300/5)) = 60 -> 8 + 36 = 44;
    // confidence 0.24 + 0.54 = 0.78.
    expect(blended).toEqual({ tokens: 4400, loc: 220, files: 2, score: 64, minutes: 44, confidence: 0.78 });
  });

  it('parallel groups of {1: -, 2: {1}, 3: {1}, 4: {2, 3}} are [[1], [2, 3], [4]]', () => {
    const step = (id: number, dependencies: number[], estimatedMinutes: number): SubtaskPlan => ({
      id,
      title: `step ${id}`,
      category: 'other',
      dependencies,
      complexityScore: 10,
      estimatedMinutes,
    });
    const groups = parallelGroups([step(1, [], 30), step(2, [1], 45), step(3, [1], 20), step(4, [2, 3], 15)]);
    expect(groups.map((g) => g.subtaskIds)).toEqual([[1], [2, 3], [4]]);
    expect(groups).toEqual([
      { groupId: 0, subtaskIds: [1], estimatedDurationMinutes: 30, canParallelize: false },
      { groupId: 1, subtaskIds: [2, 3], estimatedDurationMinutes: 45, canParallelize: true },
      { groupId: 2, subtaskIds: [4], estimatedDurationMinutes: 15, canParallelize: false },
    ]);
  });
});

describe('parallel groups are Kahn levels', () => {
  const step = (id: number, dependencies: number[]): SubtaskPlan => ({ id, title: `step ${id}`, category: 'other', dependencies, complexityScore: 10, estimatedMinutes: id });
  /** The levels Kahn's algorithm gives (src/domain/dependency-graph), as subtask ids. */
  const kahn = (plan: SubtaskPlan[]) =>
    topologicalLevels(
      plan.map((s) => String(s.id)),
      new Map(plan.map((s) => [String(s.id), s.dependencies.map(String)])),
    ).levels.map((level) => level.map(Number));

  it('for plans whose dependencies are earlier subtasks (as planned), absent ones, later ones and cycles', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const plans: SubtaskPlan[][] = [];
    for (let k = 0; k < 300; k++) {
      const n = 1 + random(9);
      plans.push(Array.from({ length: n }, (_, i) => step(i + 1, Array.from({ length: random(4) }, () => 1 + random(i + (k % 5 === 0 ? 3 : 0) + 1)).filter((d) => k % 5 === 0 || d <= i))));
    }
    plans.push([step(1, [2]), step(2, [])], [step(1, [1]), step(2, [1])], [step(1, [2]), step(2, [1]), step(3, [])], [step(1, [9]), step(2, [1, 9])]);
    for (const plan of plans) expect(parallelGroups(plan).map((g) => g.subtaskIds), JSON.stringify(plan.map((s) => s.dependencies))).toEqual(kahn(plan));
  });

  it('a subtask sits one level below its deepest dependency, wherever that is listed', () => {
    const plan = [step(1, []), step(2, [1]), step(3, [2, 1])];
    expect(parallelGroups(plan).map((g) => g.subtaskIds)).toEqual([[1], [2], [3]]);
  });

  it('a subtask id given twice is grouped once', () => {
    const plan = [step(1, []), step(1, []), step(2, [1])];
    expect(parallelGroups(plan).map((g) => g.subtaskIds)).toEqual(kahn(plan));
    expect(parallelGroups(plan).map((g) => g.subtaskIds)).toEqual([[1], [2]]);
  });
});

describe('heuristic-only confidence', () => {
  it('is 0.6 alone, 0.7 with files, 0.8 with files and an explicit type', () => {
    const description = 'Fix typo in documentation';
    expect(estimate({ description }).estimateConfidence).toBe(0.6);
    // Files: x1.0 for one file, score still 46.5 (outside the ambiguous zone).
    const withFiles = estimate({ description, files: ['docs/guide.md'] });
    expect(withFiles.estimateConfidence).toBe(0.7);
    expect(withFiles.suggestionConfidence).toBe(0.7);
    // documentation x0.4: score 31 x 0.4 = 12.4.
    const withType = estimate({ description, files: ['docs/guide.md'], taskType: 'documentation' });
    expect(withType.complexityScore).toBe(12.4);
    expect(withType.estimateConfidence).toBe(0.8);
    expect(withType.suggestionConfidence).toBe(0.8);
  });

  it('gives no type bonus for an explicit feature_implementation, and one for an unknown type', () => {
    const description = 'Fix typo in documentation';
    expect(estimate({ description, taskType: 'feature_implementation' }).estimateConfidence).toBe(0.6);
    expect(estimate({ description, taskType: 'chore' }).estimateConfidence).toBe(0.7);
    expect(estimate({ description, taskType: '  ' }).estimateConfidence).toBe(0.6);
  });

  it('discounts the suggestion by x0.8 in the ambiguous zone around 60', () => {
    // "implement": LOC 150, score 35 x1.5 = 52.5, within 10 of 60; LOC and files below thresholds.
    const e = estimate({ description: 'Implement it' });
    expect(e.complexityScore).toBe(52.5);
    expect(e.suggestsDecomposition).toBe(false);
    expect(e.estimateConfidence).toBe(0.6);
    expect(e.suggestionConfidence).toBe(0.48);
    expect(e.suggestionRationale).toBe(
      'Manageable as a single unit: complexity score 52.5, about 150 lines of code in 1 file.',
    );
  });

  it('names a score between 60 and 70 when it alone decides', () => {
    // "implement" + "fix": LOC 200, score 43 x1.5 = 64.5 >= 60; 0.6 x 0.8 = 0.48.
    const e = estimate({ description: 'Implement the fix' });
    expect(e.complexityScore).toBe(64.5);
    expect(e.complexityCategory).toBe('high');
    expect(e.suggestsDecomposition).toBe(true);
    expect(e.suggestionConfidence).toBe(0.48);
    expect(e.suggestionRationale).toBe('Decomposition suggested because of a complexity score of 64.5 (at least 60).');
  });
});

describe('external estimate', () => {
  // Heuristic of "Fix typo in documentation": tokens 246, LOC 120, files 1, score 46.5,
  // minutes 24, confidence 0.6.
  const description = 'Fix typo in documentation';
  const external = { estimatedTokens: 1000, estimatedLoc: 200, estimatedFiles: 2, complexityScore: 30 };

  it('blends every figure 0.4 / 0.6 and lets the rule decide below 0.7 confidence', () => {
    const e = estimate({
      description,
      externalEstimate: { ...external, confidence: 0.5, suggestsDecomposition: true },
    });
    // tokens floor(98.4 + 600) = 698; LOC floor(48 + 120) = 168; files floor(0.4 + 1.2) = 1;
    // score 18.6 + 18 = 36.6; minutes: external max(15, 40) = 40 -> floor(9.6 + 24) = 33;
    // confidence 0.24 + 0.3 = 0.54. The rule on those: no decomposition, confidence 0.6.
    expect(e).toMatchObject({
      estimatedTokens: 698,
      estimatedLoc: 168,
      estimatedFiles: 1,
      complexityScore: 36.6,
      estimatedDurationMinutes: 33,
      estimateConfidence: 0.54,
      complexityCategory: 'medium',
      suggestsDecomposition: false,
      suggestionConfidence: 0.6,
      suggestedSubtasks: [],
    });
  });

  it('lets a confident external estimate decide, with its confidence', () => {
    const e = estimate({
      description,
      externalEstimate: { ...external, confidence: 0.9, suggestsDecomposition: true },
    });
    expect(e.suggestsDecomposition).toBe(true);
    expect(e.suggestionConfidence).toBe(0.9);
    expect(e.estimateConfidence).toBe(0.78); // 0.24 + 0.54
    expect(e.suggestionRationale).toBe('Decomposition suggested by the external estimate (confidence 0.9).');
    // Bug kind ("fix"); n = 4 of score 36.6 and 33 minutes: test x0.7 = 6.405, implement x1.2 =
    // 10.98; every share of minutes is under 15.
    expect(e.subtaskPlan.map((s) => [s.category, s.dependencies, s.complexityScore, s.estimatedMinutes])).toEqual([
      ['test', [], 6.405, 15],
      ['implement', [], 10.98, 15],
      ['implement', [], 10.98, 15],
      ['test', [2, 3], 6.405, 15],
    ]);
    expect(e.suggestedParallelGroups).toEqual([
      { groupId: 0, subtaskIds: [1, 2, 3], estimatedDurationMinutes: 15, canParallelize: true },
      { groupId: 1, subtaskIds: [4], estimatedDurationMinutes: 15, canParallelize: false },
    ]);
  });

  it('takes 0.7 as the external confidence when none is given: enough to decide', () => {
    const e = estimate({
      description: 'Implement the fix',
      externalEstimate: { ...external, suggestsDecomposition: false },
    });
    expect(e.suggestsDecomposition).toBe(false);
    expect(e.suggestionConfidence).toBe(0.7);
    expect(e.estimateConfidence).toBe(0.66); // 0.24 + 0.42
    expect(e.suggestionRationale).toBe(
      'The external estimate (confidence 0.7) judges the task manageable as a single unit.',
    );
  });

  it('falls back to the rule when the external side gives no decision or is unsure', () => {
    // "Implement the fix": LOC 200, score 64.5, tokens floor(17/4) + 400 = 404, minutes 40.
    // Blended score 25.8 + 18 = 43.8 < 60: no decomposition whatever the external side says.
    const unsure = estimate({
      description: 'Implement the fix',
      externalEstimate: { ...external, confidence: 0.69, suggestsDecomposition: true },
    });
    expect(unsure.complexityScore).toBe(43.8);
    expect(unsure.suggestsDecomposition).toBe(false);
    expect(unsure.suggestionConfidence).toBe(0.6);
    const silent = estimate({ description: 'Implement the fix', externalEstimate: { ...external, confidence: 0.95 } });
    expect(silent.suggestsDecomposition).toBe(false);
    expect(silent.suggestionConfidence).toBe(0.6);
    // The rule runs on blended figures: a large external LOC pushes the blend over 400.
    const large = estimate({ description: 'Implement the fix', externalEstimate: { ...external, estimatedLoc: 600 } });
    expect(large.estimatedLoc).toBe(440); // floor(80 + 360)
    expect(large.suggestsDecomposition).toBe(true);
    expect(large.suggestionConfidence).toBe(0.6);
    expect(large.suggestionRationale).toBe('Decomposition suggested because of about 440 lines of code.');
  });
});

describe('output envelope', () => {
  it('carries the task id and the injected clock', () => {
    const e = estimate({ description: 'Fix typo' }, 'task-7');
    expect(e.taskId).toBe('task-7');
    expect(e.timestamp).toEqual(now);
    expect(e.timestamp).not.toBe(now);
    expect(estimate({ description: 'Fix typo' }).taskId).toBeNull();
  });

  it('is deterministic', () => {
    const input = { description: 'Implement distributed caching with a graph of 12 nodes', files: ['a.ts', 'b.ts'] };
    expect(estimate(input)).toEqual(estimate(input));
  });
});
