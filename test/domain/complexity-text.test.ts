/**
 * The estimator's building blocks at their edges: Python-like text counting, the 12-digit
 * rounding, and the rationale sentence at each threshold.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPLEXITY_WEIGHTS as w } from '../../src/domain/complexity';
import { floorClean, withoutFloatNoise } from '../../src/domain/complexity/arithmetic';
import type { Decision } from '../../src/domain/complexity/decision';
import type { Figures } from '../../src/domain/complexity/heuristic';
import { suggestionRationale } from '../../src/domain/complexity/rationale';
import { codePointLength, countFileNames, countListItems } from '../../src/domain/complexity/text-matching';

describe('codePointLength (Python len)', () => {
  it('counts a surrogate pair as one, a lone surrogate as one', () => {
    const cases = [
      '',
      'abc',
      '😀',
      'a😀b',
      '\ud800\udc00', // the first pair
      '\udbff\udfff', // the last pair
      '\ud800\udfff',
      '\udbff\udc00',
      'a\udc00', // a lone low surrogate after a letter
      '\udc00\udc00',
      '\ud800a', // a lone high surrogate
      '\ud7ff\udc00', // just below the high range
      '\ue000\udc00', // just above it
      '\ud800\udbff', // two highs
      '\ud800\ue000', // a high, then just above the low range
    ];
    for (const text of cases) expect(codePointLength(text), JSON.stringify(text)).toBe([...text].length);
  });
});

describe('countFileNames', () => {
  it('treats configured extensions literally, regex characters included', () => {
    expect(countFileNames('edit config.h.in and main.c', ['h.in'])).toBe(1);
    expect(countFileNames('edit config.hxin', ['h.in'])).toBe(0);
  });

  it('keeps extension lists apart even when their joined text is the same', () => {
    expect(countFileNames('see x.ab', ['ab', 'c'])).toBe(1);
    expect(countFileNames('see x.ab', ['a', 'bc'])).toBe(0);
  });
});

describe('countListItems', () => {
  it('finds no item in text without list marks, whatever its words', () => {
    expect(countListItems('fix the undefined is not a function error')).toBe(0);
    expect(countListItems('1. a\n2. b\n- c\n* d')).toBe(4);
  });
});

describe('withoutFloatNoise (12 significant digits)', () => {
  it('removes binary noise and keeps whole numbers below 10^12 as they are', () => {
    expect(withoutFloatNoise(0.4 * 100 + 0.6 * 300)).toBe(220);
    expect(floorClean(0.4 * 100 + 0.6 * 300)).toBe(220);
    expect(withoutFloatNoise(999_999_999_999)).toBe(999_999_999_999);
    expect(withoutFloatNoise(-999_999_999_999)).toBe(-999_999_999_999);
    expect(withoutFloatNoise(0)).toBe(0);
    expect(withoutFloatNoise(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(withoutFloatNoise(Number.NaN)).toBeNaN();
  });

  it('rounds whole numbers of more than 12 digits too, either sign', () => {
    expect(withoutFloatNoise(1_234_567_890_123)).toBe(1_234_567_890_120);
    expect(withoutFloatNoise(-1_234_567_890_123)).toBe(-1_234_567_890_120);
  });
});

describe('suggestionRationale at the thresholds', () => {
  const figures = (over: Partial<Figures>): Figures => ({ tokens: 100, loc: 100, files: 1, score: 10, minutes: 20, confidence: 0.6, ...over });
  const decompose: Decision = { suggestsDecomposition: true, suggestionConfidence: 0.6, decidedBy: 'heuristic' };
  const keep: Decision = { suggestsDecomposition: false, suggestionConfidence: 0.6, decidedBy: 'heuristic' };

  it('names each threshold reached exactly: score 70, 8000 tokens, 5 files, 400 lines', () => {
    expect(suggestionRationale(figures({ score: 70 }), decompose, w)).toBe('Decomposition suggested because of a high complexity score (70).');
    expect(suggestionRationale(figures({ score: 69.95, tokens: 8000 }), decompose, w)).toBe('Decomposition suggested because of about 8000 tokens.');
    expect(suggestionRationale(figures({ files: 5 }), decompose, w)).toBe('Decomposition suggested because of 5 files.');
    expect(suggestionRationale(figures({ loc: 400 }), decompose, w)).toBe('Decomposition suggested because of about 400 lines of code.');
  });

  it('joins several reasons with commas and a final "and"', () => {
    expect(suggestionRationale(figures({ score: 80, tokens: 9000, files: 6, loc: 500 }), decompose, w)).toBe(
      'Decomposition suggested because of a high complexity score (80), about 9000 tokens, 6 files and about 500 lines of code.',
    );
    expect(suggestionRationale(figures({ files: 7, loc: 450 }), decompose, w)).toBe('Decomposition suggested because of 7 files and about 450 lines of code.');
  });

  it('says "file" for one and "files" otherwise', () => {
    expect(suggestionRationale(figures({ score: 12.34 }), keep, w)).toBe('Manageable as a single unit: complexity score 12.3, about 100 lines of code in 1 file.');
    expect(suggestionRationale(figures({ files: 2 }), keep, w)).toBe('Manageable as a single unit: complexity score 10, about 100 lines of code in 2 files.');
  });
});
