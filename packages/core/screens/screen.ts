import { compileExpression } from "filtrex";
import { ValidationError } from "../errors.ts";
import { SCREEN_FIELDS, type ScreenField, type ScreenValues } from "./fields.ts";

/**
 * Screens: named filters over a ticker's screen fields (fields.ts), written as filtrex
 * expressions (a safe expression language: no access to anything but the fields given, no
 * `eval` of the user's text as JavaScript). A preset is a name for an expression; anything else
 * given is compiled as an expression. A bad one is refused where it is given, naming the unknown
 * field or where the syntax breaks.
 */

export const PRESETS = {
  "trend-template": "trend_template",
  "rs-leaders": "rs >= 90",
  canslim: "composite >= 80 and trend >= 7",
  "new-highs": "new_high",
  "macd-bullish-cross": 'macd_stage == "bullish-crossover"',
} as const;
export type PresetName = keyof typeof PRESETS;

export interface Screen {
  /** The preset's name, or the expression itself. */
  name: string;
  expression: string;
  matches(values: ScreenValues): boolean;
}

const KEYWORDS = new Set(["and", "or", "not", "in", "of", "if", "then", "else", "mod"]);
const FIELDS = new Set(Object.keys(SCREEN_FIELDS));

/** The field names an expression uses: its identifiers, less keywords and function calls; quoted ones too. */
function identifiers(expression: string): string[] {
  const names: string[] = [];
  // Strings in double quotes are values, not names; single quotes name a field.
  const text = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const m of text.matchAll(/'((?:[^'\\]|\\.)*)'|([A-Za-z_$][A-Za-z0-9_$.]*)(\s*\()?/g)) {
    if (m[1] !== undefined) names.push(m[1]);
    else if (m[2] && !m[3] && !KEYWORDS.has(m[2])) names.push(m[2]);
  }
  return names;
}

/** A screen from a preset's name or an expression; a ValidationError names what is wrong with it. */
export function compileScreen(text: string, what = "screen"): Screen {
  const given = text.trim();
  if (given.length === 0) throw new ValidationError(what, ["empty: give a preset or an expression"]);
  const preset = (PRESETS as Record<string, string>)[given];
  const expression = preset ?? given;
  const unknown = [...new Set(identifiers(expression).filter((n) => !FIELDS.has(n)))];
  if (unknown.length > 0) {
    throw new ValidationError(what, [
      `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} in "${expression}": the fields are listed by \`tickerfleet screen --fields\`; the presets are ${Object.keys(PRESETS).join(", ")}`,
    ]);
  }
  let compiled: (values: ScreenValues) => unknown;
  try {
    compiled = compileExpression(expression);
  } catch (error) {
    throw new ValidationError(what, [syntaxProblem(expression, (error as Error).message)]);
  }
  return {
    name: preset ? given : expression,
    expression,
    matches(values) {
      // filtrex refuses a null where it wants a number: a ticker without the field does not match.
      try {
        return isTrue(compiled(values));
      } catch {
        return false;
      }
    },
  };
}

/** filtrex's parse error, said in one line with the column where it broke. */
function syntaxProblem(expression: string, message: string): string {
  const lines = message.split("\n");
  const pointer = lines.find((l) => /^-*\^$/.test(l));
  const column = pointer ? pointer.length : undefined;
  const expecting = lines.find((l) => l.startsWith("Expecting"));
  const where = column !== undefined ? ` at column ${column}` : "";
  return `syntax error${where} in "${expression}"${expecting ? `: ${expecting.replace(/^Expecting /, "expecting ")}` : `: ${lines[0]}`}`;
}

function isTrue(value: unknown): boolean {
  if (value instanceof Error) return false;
  return value === true || (typeof value === "number" && value !== 0 && !Number.isNaN(value));
}

/** Every field with what it means, for `tickerfleet screen --fields`. */
export function screenFieldList(): { field: ScreenField; meaning: string }[] {
  return (Object.entries(SCREEN_FIELDS) as [ScreenField, string][]).map(([field, meaning]) => ({
    field,
    meaning,
  }));
}
