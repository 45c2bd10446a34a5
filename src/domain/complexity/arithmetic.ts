/**
 * Floating-point care. The heuristic's figures are integers and short decimals multiplied by
 * weights such as 0.4, 0.6 or 1.3, none of which binary floating point holds exactly: 0.6 is
 * stored as 0.59999999999999997…, so 0.4 x 100 + 0.6 x 300 can come out as 219.99999999999997,
 * and flooring that gives 219 where DESIGN.md's blend example (and arithmetic) says 220.
 *
 * So every figure is rounded to 12 significant digits before it is floored, compared or
 * returned. Binary noise lives in the 16th-17th digit; the figures carry far fewer real digits
 * (integers well below 10^12, scores and weights with a few decimals), and with weights of one or
 * two decimals a true result is never within 10^-12 of an integer it does not equal.
 */

export function withoutFloatNoise(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  // A whole number below 10^12 has at most 12 significant digits: toPrecision(12) gives it back.
  if (Number.isInteger(value) && value < 1e12 && value > -1e12) return value;
  return Number(value.toPrecision(12));
}

/** floor() of the value without its binary noise. */
export function floorClean(value: number): number {
  return Math.floor(withoutFloatNoise(value));
}

/** Confidences to four decimals: 0.7, not 0.7000000000000001. */
export function roundConfidence(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
