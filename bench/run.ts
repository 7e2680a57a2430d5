/**
 * `npm run bench`: every benchmark, each with its baseline measured in the
 * same run, printed as one table and written to bench/results/latest.json.
 * `npm run bench -- indicators` (or `npm run bench:indicators`) runs one.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { run as bodyValidation } from "./body-validation.ts";
import { run as cost } from "./cost.ts";
import { run as indicators } from "./indicators.ts";
import { run as plans } from "./plans.ts";
import { run as scanAtLimit } from "./scan-at-limit.ts";
import { run as scanDaily } from "./scan-daily.ts";
import { measure as scanUnlimited } from "./scan-unlimited.ts";
import type { BenchResult } from "./types.ts";

const only = new Set(process.argv.slice(2));
const wants = (name: string) => only.size === 0 || only.has(name);

const results: BenchResult[] = [];
const started = Date.now();
const log = (line: string) => process.stderr.write(`${line}\n`);

if (wants("indicators")) {
  log("bench: indicators…");
  results.push(await indicators());
}
if (wants("body-validation")) {
  log("bench: body-validation (provider bodies read by the adapters, then JSON.parse alone)…");
  results.push(await bodyValidation());
}
if (wants("scan-at-limit")) {
  log("bench: scan-at-limit (S&P 500 at 100 requests/s, then the seed scanner)…");
  results.push(await scanAtLimit());
}
if (wants("scan-daily")) {
  log(
    "bench: scan-daily (us-all one session after a stored history, then the same day from an empty store)…",
  );
  results.push(await scanDaily());
}
if (wants("plans")) {
  log("bench: plans (us-all plans per provider at free-plan limits, then confirmed on the simulator)…");
  results.push(await plans());
}
if (wants("scan-unlimited") || wants("cost")) {
  log("bench: scan-unlimited (us-all, no limit, then the seed scanner)…");
  const unlimited = await scanUnlimited({ baseline: wants("scan-unlimited") });
  if (wants("scan-unlimited")) results.push(unlimited.result);
  if (wants("cost")) {
    log("bench: cost (counts of that scan, then the unbatched pipeline on the S&P 500)…");
    results.push(await cost(unlimited));
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lines = [
  "",
  `${pad("benchmark", 16)} ${pad("headline", 48)} ${pad("value", 10)} ${pad("target", 58)} met`,
  `${"─".repeat(16)} ${"─".repeat(48)} ${"─".repeat(10)} ${"─".repeat(58)} ───`,
  ...results.map(
    (r) =>
      `${pad(r.name, 16)} ${pad(r.ratio.label, 48)} ${pad(String(r.ratio.value), 10)} ${pad(r.ratio.target ?? "", 58)} ${r.ratio.met === undefined ? "" : r.ratio.met ? "yes" : "no"}`,
  ),
  "",
];
for (const r of results) {
  lines.push(`${r.name}: ${r.description}`);
  lines.push(
    `  ours:     ${Object.entries(r.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  lines.push(`  baseline: ${r.baseline.name}`);
  lines.push(
    `            ${Object.entries(r.baseline.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  lines.push("");
}
process.stdout.write(`${lines.join("\n")}\n`);

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  memoryGB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
// A run of some benchmarks replaces theirs and keeps the others' last figures, each with its date.
const file = new URL("./results/latest.json", import.meta.url);
const now = new Date().toISOString();
let kept: (BenchResult & { measuredAt?: string })[] = [];
try {
  const previous = JSON.parse(await readFile(file, "utf8")) as { date?: string; results?: typeof kept };
  kept = (previous.results ?? [])
    .filter((r) => !results.some((n) => n.name === r.name))
    .map((r) => ({ ...r, measuredAt: r.measuredAt ?? previous.date }));
} catch {
  // No earlier results: this run's are all there is.
}
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify({ date: now, durationSeconds: Math.round((Date.now() - started) / 1000), machine, results: [...kept, ...results.map((r) => ({ ...r, machine, measuredAt: now }))] }, null, 2)}\n`,
);
log(`bench: done in ${Math.round((Date.now() - started) / 1000)} s; bench/results/latest.json written`);
process.exit(0);
