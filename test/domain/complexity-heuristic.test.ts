/**
 * DESIGN.md steps 1-13 one at a time. Most cases use an unknown task type ("chore", x1) so the
 * score shows each step's raw effect; "Tidy up" matches no keyword at all (LOC 50, score 20).
 */
import { describe, expect, it } from 'vitest';
import { complexityCategory, heuristicDecision, meetsDecompositionRule } from '../../src/domain/complexity/decision';
import type { Figures } from '../../src/domain/complexity/heuristic';
import { DEFAULT_COMPLEXITY_WEIGHTS as W, estimateComplexity, type ComplexityInput } from '../../src/domain/complexity';

const now = new Date('2025-01-01T00:00:00Z');
/** The estimate with an unknown type, so the type multiplier is 1. */
const raw = (description: string, extra: Partial<ComplexityInput> = {}) =>
  estimateComplexity({ description, taskType: 'chore', ...extra }, { now });
const figures = (description: string, extra: Partial<ComplexityInput> = {}) => {
  const e = raw(description, extra);
  return { loc: e.estimatedLoc, score: e.complexityScore };
};

describe('step 1: start', () => {
  it('is LOC 50, score 20 for a description matching nothing', () => {
    expect(figures('Tidy up')).toEqual({ loc: 50, score: 20 });
  });
});

describe('step 2: keyword groups', () => {
  it.each([
    ['implement', 'high'],
    ['create', 'high'],
    ['build', 'high'],
    ['develop', 'high'],
    ['design', 'high'],
  ])('%s (%s) adds 100 LOC and 15 score', (word) => {
    expect(figures(`Please ${word} it`)).toEqual({ loc: 150, score: 35 });
  });

  it.each(['fix', 'update', 'refactor', 'modify', 'enhance'])('%s (medium) adds 50 LOC and 8 score', (word) => {
    expect(figures(`Please ${word} it`)).toEqual({ loc: 100, score: 28 });
  });

  it.each(['test', 'document', 'comment', 'format'])('%s (low) adds 20 LOC and 3 score', (word) => {
    expect(figures(`Please ${word} it`)).toEqual({ loc: 70, score: 23 });
  });

  it('counts each keyword once however often it occurs', () => {
    expect(figures('implement, implement and implement again')).toEqual({ loc: 150, score: 35 });
  });

  it('counts distinct keywords of a group, and groups add up', () => {
    // create + build (high: +200, +30), fix (medium: +50, +8), comment (low: +20, +3).
    expect(figures('create and build, fix the comment')).toEqual({ loc: 320, score: 61 });
  });

  it('is case-insensitive', () => {
    expect(figures('IMPLEMENT It')).toEqual(figures('implement it'));
  });

  it('tests substrings: "documentation" contains "document", "prefix" contains "fix"', () => {
    expect(figures('Tidy up the documentation')).toEqual({ loc: 70, score: 23 });
    expect(figures('Tidy up the prefix')).toEqual({ loc: 100, score: 28 });
  });
});

describe('step 3: files', () => {
  // "Please fix it": LOC 100, score 28 before the weight.
  it.each([
    [1, 100, 28],
    [2, 130, 36.4],
    [3, 130, 36.4],
    [4, 160, 44.8],
    [6, 160, 44.8],
    [7, 200, 56],
    [10, 200, 56],
    [11, 250, 70],
    [40, 250, 70],
  ])('%i files weigh LOC to %i and score to %s', (count, loc, score) => {
    const files = Array.from({ length: count }, (_, i) => `src/f${i}.ts`);
    const e = raw('Please fix it', { files });
    expect({ loc: e.estimatedLoc, score: e.complexityScore, files: e.estimatedFiles }).toEqual({
      loc,
      score,
      files: count,
    });
  });

  it('weighs LOC without float drift (170 x 1.3 is 221.00000000000003 in binary)', () => {
    expect(raw('Please fix the comment', { files: ['a', 'b'] }).estimatedLoc).toBe(156); // 120 x 1.3
    expect(raw('Please create the test', { files: ['a', 'b'] }).estimatedLoc).toBe(221); // 170 x 1.3
    expect(raw('Please create it', { files: ['a', 'b'] }).estimatedLoc).toBe(195); // 150 x 1.3
    expect(raw('Please create the format', { files: ['a', 'b', 'c', 'd'] }).estimatedLoc).toBe(272); // 170 x 1.6
  });

  it('counts file names in the lower-cased text when no list is given', () => {
    expect(raw('Please fix main.py, Util.JS and lib.rs').estimatedFiles).toBe(3);
    expect(raw('Touch a.cpp, b.c, c.h, d.go, e.java and f.ts').estimatedFiles).toBe(6);
    // Every occurrence counts; other extensions, and extensions running on, do not.
    expect(raw('Tidy main.py then main.py again').estimatedFiles).toBe(2);
    expect(raw('Tidy app.tsx, notes.md and data.json').estimatedFiles).toBe(1);
    expect(raw('Tidy up').estimatedFiles).toBe(1);
  });

  it('applies no weight and no confidence bonus for an empty list', () => {
    const e = raw('Please fix it', { files: [], taskType: null });
    expect(e.estimatedLoc).toBe(100);
    expect(e.estimateConfidence).toBe(0.6);
  });
});

describe('step 4: concepts', () => {
  it.each(['algorithm', 'sort', 'search', 'optimize', 'graph'])('"%s" multiplies the score by 1.8', (word) => {
    expect(figures(`Tidy the ${word}`).score).toBe(36);
  });

  it('multiplies once per set, however many of its keywords occur', () => {
    expect(figures('Tidy the graph search sort').score).toBe(36);
  });

  it.each([
    'thread',
    'async',
    'parallel',
    'concurrent',
    'lock',
    'auth',
    'security',
    'encrypt',
    'sanitize',
    'api',
    'external',
    'third-party',
    'database',
    'schema',
    'migration',
    'query',
    'sql',
  ])('"%s" multiplies by 1.0 by default', (word) => {
    expect(figures(`Tidy the ${word}`)).toEqual({ loc: 50, score: 20 });
  });
});

describe('step 5: verbs', () => {
  it('adds 5 per verb beyond three', () => {
    // remove, delete, configure: 3 -> nothing; + integrate: 4 -> +5; + add: 5 -> +10.
    expect(figures('remove, delete, configure')).toEqual({ loc: 50, score: 20 });
    expect(figures('remove, delete, configure, integrate')).toEqual({ loc: 50, score: 25 });
    expect(figures('remove, delete, configure, integrate, add')).toEqual({ loc: 50, score: 30 });
  });

  it('finds "add" inside "address"', () => {
    expect(figures('Address, remove, delete and configure').score).toBe(25);
    expect(figures('Dress, remove, delete and configure').score).toBe(20);
  });

  it('counts each verb once', () => {
    expect(figures('remove remove delete delete configure configure').score).toBe(20);
  });
});

describe('step 6: list items', () => {
  it('adds 30 LOC and 5 score per item when there are more than two', () => {
    expect(figures('Tidy up:\n- one\n- two')).toEqual({ loc: 50, score: 20 });
    expect(figures('Tidy up:\n- one\n- two\n- three')).toEqual({ loc: 140, score: 35 });
    expect(figures('Tidy up:\n* one\n* two\n* three\n* four')).toEqual({ loc: 170, score: 40 });
    expect(figures('Tidy up:\n1. one\n2. two\n3. three')).toEqual({ loc: 140, score: 35 });
  });

  it('sums the three patterns', () => {
    expect(figures('Tidy up:\n1. one\n- two\n* three')).toEqual({ loc: 140, score: 35 });
  });

  it('needs whitespace then a word character after a dash or star, as the origin', () => {
    expect(figures('Tidy up -one -two *three *four')).toEqual({ loc: 50, score: 20 });
  });

  it('counts any number followed by a dot, as the origin does', () => {
    expect(figures('Tidy 1.2, 3.4 and 5.6 up')).toEqual({ loc: 140, score: 35 });
  });
});

describe('step 7: dependencies', () => {
  it.each([
    [0, 20],
    [1, 25],
    [2, 32],
    [3, 40],
    [4, 60],
    [9, 60],
  ])('%i dependencies give score %i', (count, score) => {
    const dependencies = Array.from({ length: count }, (_, i) => String(i + 1));
    expect(figures('Tidy up', { dependencies }).score).toBe(score);
  });

  it('adds nothing for an absent list', () => {
    expect(figures('Tidy up', { dependencies: null }).score).toBe(20);
  });
});

describe('step 8: task type', () => {
  it.each([
    ['feature_implementation', 30],
    ['bug_fix', 16],
    ['refactoring', 24],
    ['testing', 12],
    ['documentation', 8],
    ['performance_optimization', 34],
    ['security_enhancement', 36],
    ['api_design', 32],
    ['schema_migration', 28],
    ['dependency_upgrade', 26],
    ['build_config', 24],
    ['code_review', 14],
    ['something_else', 20],
    ['constructor', 20],
  ])('%s multiplies 20 into %d', (taskType, score) => {
    expect(figures('Tidy up', { taskType }).score).toBe(score);
  });

  it('defaults to feature_implementation (x1.5)', () => {
    expect(estimateComplexity({ description: 'Tidy up' }, { now }).complexityScore).toBe(30);
  });

  it('ignores case and surrounding space', () => {
    expect(figures('Tidy up', { taskType: ' Bug_Fix ' }).score).toBe(16);
  });
});

describe('step 9: cap, tokens and minutes', () => {
  it('caps the score at 100', () => {
    // Five high keywords: LOC 550, score 95; x1 = 95, x1.5 = 142.5 -> 100.
    const description = 'Implement, create, build, develop and design';
    expect(figures(description)).toEqual({ loc: 550, score: 95 });
    expect(estimateComplexity({ description }, { now }).complexityScore).toBe(100);
  });

  it('computes tokens as floor(length / 4) + 2 x LOC, length in code points', () => {
    expect(raw('Tidy up').estimatedTokens).toBe(1 + 100); // 7 characters
    expect(raw('Tidy up!!').estimatedTokens).toBe(2 + 100); // 9 characters
    expect(raw('Tidy 😀😀').estimatedTokens).toBe(1 + 100); // 7 code points (9 UTF-16 units)
  });

  it('computes minutes as max(15, floor(LOC / 5))', () => {
    expect(raw('Tidy up').estimatedDurationMinutes).toBe(15); // floor(50 / 5) = 10
    expect(raw('Please create it').estimatedDurationMinutes).toBe(30); // 150 / 5
    expect(raw('Please fix the comment').estimatedDurationMinutes).toBe(24); // floor(120 / 5)
  });
});

describe('step 11: decision', () => {
  const base: Figures = { tokens: 100, loc: 100, files: 1, score: 20, minutes: 20, confidence: 0.6 };

  it('suggests decomposition from score 60, LOC 400, 5 files or 8000 tokens', () => {
    expect(meetsDecompositionRule(base, W)).toBe(false);
    expect(meetsDecompositionRule({ ...base, score: 59.9 }, W)).toBe(false);
    expect(meetsDecompositionRule({ ...base, score: 60 }, W)).toBe(true);
    expect(meetsDecompositionRule({ ...base, loc: 399 }, W)).toBe(false);
    expect(meetsDecompositionRule({ ...base, loc: 400 }, W)).toBe(true);
    expect(meetsDecompositionRule({ ...base, files: 4 }, W)).toBe(false);
    expect(meetsDecompositionRule({ ...base, files: 5 }, W)).toBe(true);
    expect(meetsDecompositionRule({ ...base, tokens: 7999 }, W)).toBe(false);
    expect(meetsDecompositionRule({ ...base, tokens: 8000 }, W)).toBe(true);
  });

  it('discounts the confidence x0.8 strictly within 10 of 60', () => {
    const confidenceAt = (score: number) => heuristicDecision({ ...base, score }, W).suggestionConfidence;
    expect(confidenceAt(49.9)).toBe(0.6);
    expect(confidenceAt(50)).toBe(0.6);
    expect(confidenceAt(50.1)).toBe(0.48);
    expect(confidenceAt(60)).toBe(0.48);
    expect(confidenceAt(69.9)).toBe(0.48);
    expect(confidenceAt(70)).toBe(0.6);
    expect(heuristicDecision({ ...base, score: 55, confidence: 0.7 }, W).suggestionConfidence).toBe(0.56);
  });

  it('decomposes five named files end to end', () => {
    const e = raw('Tidy a.py, b.py, c.py, d.py and e.py');
    expect(e.estimatedFiles).toBe(5);
    expect(e.suggestsDecomposition).toBe(true);
    expect(e.suggestionRationale).toBe('Decomposition suggested because of 5 files.');
  });
});

describe('step 13: category', () => {
  it.each([
    [0, 'low'],
    [30, 'low'],
    [30.01, 'medium'],
    [60, 'medium'],
    [60.01, 'high'],
    [85, 'high'],
    [85.01, 'very_high'],
    [100, 'very_high'],
  ])('score %d is %s', (score, category) => {
    expect(complexityCategory(score, W)).toBe(category);
  });
});
