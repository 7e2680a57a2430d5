import { ValidationError } from "../errors.ts";
import { compileScreen, PRESETS, type Screen } from "../screens/screen.ts";

/** Which screens a scan's changes (and its alerts) follow, and how many top tickers. */
export interface ChangeSettings {
  screens: readonly Screen[];
  topN: number;
}

/** @default every preset, the top 20 */
export function defaultChangeSettings(): ChangeSettings {
  return { screens: Object.keys(PRESETS).map((name) => compileScreen(name)), topN: 20 };
}

/**
 * The screens a setting names: presets and expressions separated by `;` (an expression may
 * hold commas), each compiled; a bad one is named with its problem.
 */
export function screensFrom(text: string, setting: string): Screen[] {
  const parts = text
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean);
  const problems: string[] = [];
  const screens: Screen[] = [];
  for (const part of parts) {
    try {
      screens.push(compileScreen(part, setting));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems.map((p) => `"${part}": ${p}`));
    }
  }
  if (problems.length > 0) throw new ValidationError(setting, problems);
  return screens;
}
