import { CliError } from "./errors.ts";

/**
 * A whole-number option (`--top 20`, `-n 5`): its value, or a CliError naming
 * the option, what was given and the range. "x", "2.5", "" and "1e3" are refused,
 * rather than becoming NaN or a surprise further on.
 */
export function wholeNumberOption(
  option: string,
  text: string,
  range: { min: number; max?: number },
): number {
  const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) {
    const wanted =
      range.max === undefined
        ? `a whole number of at least ${range.min}`
        : `a whole number from ${range.min} to ${range.max}`;
    throw new CliError(`${option} "${text}" must be ${wanted}`);
  }
  return value;
}
