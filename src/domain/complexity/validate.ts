/**
 * What the estimator refuses, before any arithmetic: each refusal is a BadInputError
 * (BAD_USER_INPUT) naming the field.
 */
import { BadInputError } from '../errors';
import { codePointLength } from './text-matching';
import type { ComplexityInput, ExternalEstimate } from './types';

export const MAX_DESCRIPTION_LENGTH = 100_000;
export const MAX_FILES = 10_000;

function refuse(field: string, message: string): never {
  throw new BadInputError(message, { field });
}

export function validateComplexityInput(input: ComplexityInput): void {
  if (typeof input.description !== 'string' || input.description.trim() === '') {
    refuse('description', 'description must not be empty');
  }
  const length = codePointLength(input.description);
  if (length > MAX_DESCRIPTION_LENGTH) {
    refuse('description', `description is ${length} characters long; at most ${MAX_DESCRIPTION_LENGTH} are accepted`);
  }
  if (input.files != null && input.files.length > MAX_FILES) {
    refuse('files', `files lists ${input.files.length} entries; at most ${MAX_FILES} are accepted`);
  }
  if (input.externalEstimate != null) validateExternalEstimate(input.externalEstimate);
}

export function validateExternalEstimate(estimate: ExternalEstimate): void {
  const counts = ['estimatedTokens', 'estimatedLoc', 'estimatedFiles'] as const;
  for (const field of counts) {
    const value = estimate[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      refuse(`externalEstimate.${field}`, `externalEstimate.${field} must be a number of at least 0, got ${value}`);
    }
  }
  const score = estimate.complexityScore;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 100) {
    refuse(
      'externalEstimate.complexityScore',
      `externalEstimate.complexityScore must be between 0 and 100, got ${score}`,
    );
  }
  const confidence = estimate.confidence;
  if (
    confidence != null &&
    (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence < 0 || confidence > 1)
  ) {
    refuse('externalEstimate.confidence', `externalEstimate.confidence must be between 0 and 1, got ${confidence}`);
  }
}
