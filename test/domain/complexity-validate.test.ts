/**
 * What the estimator refuses (BAD_USER_INPUT), and the limits it still accepts.
 */
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/domain/errors';
import {
  estimateComplexity,
  validateComplexityInput,
  type ComplexityInput,
  type ExternalEstimate,
} from '../../src/domain/complexity';

const external: ExternalEstimate = { estimatedTokens: 1000, estimatedLoc: 100, estimatedFiles: 2, complexityScore: 50 };

function refused(input: ComplexityInput): BadInputError {
  try {
    validateComplexityInput(input);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return error as BadInputError;
  }
  throw new Error('expected the input to be refused');
}

describe('validateComplexityInput', () => {
  it('refuses an empty or blank description', () => {
    expect(refused({ description: '' }).message).toBe('description must not be empty');
    expect(refused({ description: ' \n\t' }).extensions).toEqual({ field: 'description' });
  });

  it('accepts 100,000 characters and refuses more', () => {
    expect(() => validateComplexityInput({ description: 'x'.repeat(100_000) })).not.toThrow();
    expect(refused({ description: 'x'.repeat(100_001) }).message).toBe(
      'description is 100001 characters long; at most 100000 are accepted',
    );
  });

  it('accepts 10,000 files and refuses more', () => {
    const files = (n: number) => Array.from({ length: n }, (_, i) => `f${i}.ts`);
    expect(() => validateComplexityInput({ description: 'Tidy up', files: files(10_000) })).not.toThrow();
    expect(refused({ description: 'Tidy up', files: files(10_001) }).message).toBe(
      'files lists 10001 entries; at most 10000 are accepted',
    );
  });

  it('refuses an external score outside 0..100', () => {
    for (const complexityScore of [-0.1, 100.5, Number.NaN]) {
      const error = refused({ description: 'Tidy up', externalEstimate: { ...external, complexityScore } });
      expect(error.message).toBe(`externalEstimate.complexityScore must be between 0 and 100, got ${complexityScore}`);
      expect(error.extensions).toEqual({ field: 'externalEstimate.complexityScore' });
    }
    for (const complexityScore of [0, 100]) {
      expect(() =>
        validateComplexityInput({ description: 'Tidy up', externalEstimate: { ...external, complexityScore } }),
      ).not.toThrow();
    }
  });

  it('refuses an external confidence outside 0..1', () => {
    for (const confidence of [-0.01, 1.01]) {
      expect(refused({ description: 'Tidy up', externalEstimate: { ...external, confidence } }).message).toBe(
        `externalEstimate.confidence must be between 0 and 1, got ${confidence}`,
      );
    }
    for (const confidence of [0, 1, null]) {
      expect(() =>
        validateComplexityInput({ description: 'Tidy up', externalEstimate: { ...external, confidence } }),
      ).not.toThrow();
    }
  });

  it('refuses negative external tokens, LOC or files', () => {
    for (const field of ['estimatedTokens', 'estimatedLoc', 'estimatedFiles'] as const) {
      const error = refused({ description: 'Tidy up', externalEstimate: { ...external, [field]: -1 } });
      expect(error.message).toBe(`externalEstimate.${field} must be a number of at least 0, got -1`);
    }
    expect(() =>
      validateComplexityInput({
        description: 'Tidy up',
        externalEstimate: { ...external, estimatedTokens: 0, estimatedLoc: 0, estimatedFiles: 0 },
      }),
    ).not.toThrow();
  });

  it('is applied by estimateComplexity itself', () => {
    expect(() => estimateComplexity({ description: '' }, { now: new Date(0) })).toThrow(BadInputError);
    expect(() =>
      estimateComplexity(
        { description: 'Tidy up', externalEstimate: { ...external, confidence: 2 } },
        { now: new Date(0) },
      ),
    ).toThrow('externalEstimate.confidence must be between 0 and 1, got 2');
  });
});

describe('validateComplexityInput, the rest of each refusal', () => {
  it('refuses a description that is not text as empty', () => {
    for (const description of [null, 42, undefined]) {
      expect(refused({ description } as unknown as ComplexityInput).extensions).toEqual({ field: 'description' });
    }
  });

  it('names the field of a too long description or file list', () => {
    expect(refused({ description: 'x'.repeat(100_001) }).extensions).toEqual({ field: 'description' });
    expect(refused({ description: 'Tidy up', files: Array.from({ length: 10_001 }, (_, i) => `f${i}.ts`) }).extensions).toEqual({ field: 'files' });
  });

  it('refuses NaN and infinite external figures, naming the field', () => {
    for (const field of ['estimatedTokens', 'estimatedLoc', 'estimatedFiles'] as const) {
      for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = refused({ description: 'Tidy up', externalEstimate: { ...external, [field]: value } });
        expect(error.message).toBe(`externalEstimate.${field} must be a number of at least 0, got ${value}`);
        expect(error.extensions).toEqual({ field: `externalEstimate.${field}` });
      }
    }
    for (const confidence of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = refused({ description: 'Tidy up', externalEstimate: { ...external, confidence } });
      expect(error.extensions).toEqual({ field: 'externalEstimate.confidence' });
    }
    expect(refused({ description: 'Tidy up', externalEstimate: { ...external, complexityScore: Number.POSITIVE_INFINITY } }).extensions).toEqual({
      field: 'externalEstimate.complexityScore',
    });
  });
});
