/**
 * What every benchmark returns. `npm run bench` prints these as one table and
 * writes them to bench/results/latest.json. A benchmark measures its baseline
 * in the same process run (the machine is shared and noisy), so `ratio`
 * compares two numbers taken minutes apart at most.
 */
export interface BenchFigures {
  [name: string]: number | string | boolean | null;
}

export interface BenchResult {
  /** Short id, e.g. "indicators". */
  name: string;
  /** One line saying what was measured. */
  description: string;
  figures: BenchFigures;
  baseline: { name: string; figures: BenchFigures };
  /** The headline comparison, e.g. { label: "speedup vs technicalindicators", value: 23.4, target: ">= 20" }. */
  ratio: { label: string; value: number; target?: string; met?: boolean };
  /** Anything a reader needs to interpret the figures (what limits them, what was checked). */
  notes?: string[];
}
